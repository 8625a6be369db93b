"""Chinese names of mail kinds and states, as staff read them."""

KIND = {"receipt": "回执", "rescan": "重新报送通知", "reminder": "催报提醒", "admin_reminder": "管理单位催报汇总"}
STATE = {"draft": "待批准", "approved": "已批准待发", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}
