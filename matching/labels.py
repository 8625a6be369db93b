"""Chinese names of finding kinds, severities and states, as staff read them."""

KIND = {
    "figure_mismatch": "数值与网上不一致", "figure_unreadable": "数值无法辨认（需人工核对）",
    "seal_missing": "缺少公章", "signature_missing": "缺少签字", "page_missing": "缺页",
    "page_duplicate": "重复页", "page_unnumbered": "页码无法识别", "scan_illegible": "扫描件不清晰（需重新扫描）", "scan_stale": "打印时间早于网上数据修改", "unit_unknown": "无法确定所属单位",
    "record_missing": "无已提交的网上数据", "record_changed_after_scan": "扫描后网上数据又有改动",
    "attachment_unreadable": "附件无法读取", "attachment_link": "超大附件链接（需手工下载）",
    "rule_violation": "违反审核规则", "duplicate": "重复发送", "superseded": "已被新报送的扫描件替代",
}
SEVERITY = {"error": "错误", "warning": "需核实", "info": "提示"}
STATE = {"open": "待处理", "resolved": "已解决"}
