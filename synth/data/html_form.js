// Paginate the form into fixed-size A4 page divs and return every element's box (CSS px,
// relative to its page).  Called as (function)(D) by synth/html_form.py; D is the form as data.
(function (D) {
  document.body.innerHTML = "";
  const pages = [];
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const mark = (e, g, extra) => { e.dataset.g = g; Object.assign(e.dataset, extra || {}); return e; };

  function newPage() {
    const pg = el("div", "page");
    document.body.appendChild(pg);
    const title = el("div", "title");
    title.appendChild(mark(el("span", "", D.title), "title"));
    pg.appendChild(title);
    const id = el("div", "idline " + D.idline);
    for (const [g, text] of [["unit_name_box", D.unitLine], ["uscc_box", D.usccLine]]) {
      const d = el("div");
      d.appendChild(mark(el("span", "", text), g));
      id.appendChild(d);
    }
    pg.appendChild(id);
    const body = el("div", "body");
    pg.appendChild(body);
    const foot = el("div", "foot " + D.footer);
    const pn = mark(el("span", "pn"), "page_no_box");
    const pt = mark(el("span", "pt", D.printTime), "print_time_box");
    if (D.footer === "split") { foot.appendChild(pt); foot.appendChild(pn); } else { foot.appendChild(pn); foot.appendChild(pt); }
    pg.appendChild(foot);
    const p = { pg, body, pn, table: null, tbody: null };
    pages.push(p);
    return p;
  }

  function newTable(p, withHeader) {
    const t = el("table", D.grid);
    const cg = el("colgroup");
    for (const c of D.columns) { const col = el("col"); col.style.width = c.width + "%"; cg.appendChild(col); }
    t.appendChild(cg);
    if (withHeader) {
      const th = el("thead"), tr = el("tr");
      for (const c of D.columns) { const h = el("th"); h.appendChild(mark(el("span", "", c.head), "colhead", { col: c.key })); tr.appendChild(h); }
      th.appendChild(tr);
      t.appendChild(th);
    }
    p.tbody = el("tbody");
    t.appendChild(p.tbody);
    p.body.appendChild(t);
    p.table = t;
  }

  function partRow(item, cont) {
    const tr = el("tr"), td = el("td", "part");
    td.colSpan = D.columns.length;
    td.appendChild(el("span", "", item.text + (cont ? "（续）" : "")));
    tr.appendChild(td);
    return tr;
  }

  function indRow(item) {
    const tr = el("tr");
    for (const c of D.columns) {
      const td = el("td", "c-" + c.key);
      if (c.key === "label") {
        td.style.paddingLeft = "calc(4pt + " + item.depth * D.indent + "em)";
        td.appendChild(mark(el("span", "", item.label), "lab", { code: item.code }));
      } else if (c.key === "value") {
        td.appendChild(mark(el("span", "", item.value), "fig", { code: item.code }));
        mark(td, "valcell");
      } else {
        td.appendChild(el("span", "", c.key === "unit" ? item.unit : item.code));
      }
      tr.appendChild(td);
    }
    return tr;
  }

  const fits = (p) => p.body.scrollHeight <= p.body.clientHeight + 0.5;

  let p = newPage();
  newTable(p, true);
  let current = null;
  for (let i = 0; i < D.items.length; i++) {
    const it = D.items[i];
    const group = [it];
    if (it.kind === "part" && i + 1 < D.items.length) group.push(D.items[i + 1]);  // a heading keeps its first row
    const rows = group.map((g) => (g.kind === "part" ? partRow(g, false) : indRow(g)));
    rows.forEach((r) => p.tbody.appendChild(r));
    if (!fits(p)) {
      rows.forEach((r) => r.remove());
      p = newPage();
      newTable(p, D.headerEvery);
      if (it.kind === "ind" && D.continued && current) p.tbody.appendChild(partRow(current, true));
      rows.forEach((r) => p.tbody.appendChild(r));
    }
    if (it.kind === "part") current = it;
    i += group.length - 1;
  }

  // signature block: 单位负责人 / 统计负责人 / 填表人, 联系电话, 报出日期, （单位盖章）
  const sig = el("div", "sig");
  const roles = el("div", "roles " + D.sigStyle);
  for (const r of D.roles) {
    const d = el("div", "role");
    d.appendChild(mark(el("span", "lab", r + "："), "role_label", { role: r }));
    d.appendChild(mark(el("span", "field"), "sig", { role: r }));
    roles.appendChild(d);
  }
  sig.appendChild(roles);
  const contact = el("div", "contact");
  for (const text of [D.phoneLine, D.dateLine]) { const d = el("div"); d.appendChild(el("span", "", text)); contact.appendChild(d); }
  sig.appendChild(contact);
  const seal = el("div", "seal");
  seal.appendChild(mark(el("span", "", "（单位盖章）"), "seal"));
  sig.appendChild(seal);
  mark(sig, "signature_block");
  p.body.appendChild(sig);
  if (!fits(p)) { sig.remove(); p = newPage(); p.body.appendChild(sig); }

  const m = pages.length;
  pages.forEach((q, k) => { q.pn.textContent = "第 " + (k + 1) + " 页 共 " + m + " 页"; });

  const out = [];
  pages.forEach((q, k) => {
    const o = q.pg.getBoundingClientRect();
    const box = (e) => { const r = e.getBoundingClientRect(); return [r.left - o.left, r.top - o.top, r.right - o.left, r.bottom - o.top]; };
    for (const e of q.pg.querySelectorAll("[data-g]")) {
      out.push({ page: k + 1, g: e.dataset.g, code: e.dataset.code || null, role: e.dataset.role || null,
                 col: e.dataset.col || null, text: e.textContent, box: box(e) });
    }
    if (q.table && q.table.rows.length) out.push({ page: k + 1, g: "table", box: box(q.table) });
  });
  return { pages: m, boxes: out };
})
