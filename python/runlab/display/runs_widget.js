// The runs table widget. Every user string goes into the DOM as text (textContent / setAttribute), never
// as markup; HTML previews render in a sandboxed iframe without same-origin rights.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Where JupyterLab serves files from, to turn an artifact's local path into "open" and "download" links.
function serverConfig(home) {
  const el = document.getElementById("jupyter-config-data");
  if (!el) return null;
  try {
    const config = JSON.parse(el.textContent || "{}");
    let root = (config.serverRoot || "").replace(/\\/g, "/");
    if (root.startsWith("~")) root = home + root.slice(1);
    const base = config.baseUrl || "/";
    return { root: root.replace(/\/+$/, ""), base: base.endsWith("/") ? base : base + "/" };
  } catch (err) {
    return null;
  }
}

// Whether a URL may be an href: http(s) or a relative URL (not "//host"). javascript:, data:, vbscript:,
// data-store URLs (s3://, file://, ...) and anything with control characters, spaces around it or "\"
// (which browsers drop or read as "/") are shown as text. The same rule as runlab/display/links.py.
export function isSafeLink(url) {
  if (typeof url !== "string" || !url || url !== url.replace(/^ +| +$/g, "")) return false;
  if (/[\\\u0000-\u001f\u007f]/.test(url)) return false;
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url);
  if (scheme) return ["http:", "https:"].includes(scheme[0].toLowerCase());
  return !url.startsWith("//");
}

function localPath(path) {
  if (path.startsWith("file://")) return decodeURIComponent(path.slice(7));
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? null : path;
}

function fileLinks(path, home, ref) {
  const links = [];
  const config = serverConfig(home);
  const local = localPath(path || "");
  if (config && local && local.startsWith(config.root + "/")) {
    const rel = local.slice(config.root.length + 1).split("/").map(encodeURIComponent).join("/");
    links.push(["Open in JupyterLab", config.base + "lab/tree/" + rel, false]);
    links.push(["Download", config.base + "files/" + rel, true]);
  } else if (config && ref && ref.uid) {
    const route = ["runlab", "api", "runs", ref.uid, ref.iteration, "artifacts", ref.key].map(
      (part) => encodeURIComponent(String(part))).join("/");
    links.push(["Download", config.base + route + "?download=1", true]);
  } else if (path && !local) {
    links.push(["Open", path, false]);
  }
  return links.filter(([, href]) => isSafeLink(href));
}

// A value from the store as display text (objects as JSON, not "[object Object]").
function show(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function copyIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "12");
  svg.setAttribute("height", "12");
  svg.setAttribute("aria-hidden", "true");
  for (const [x, y] of [[5, 5], [2, 2]]) {
    const rect = document.createElementNS(ns, "rect");
    for (const [k, v] of Object.entries({ x, y, width: 9, height: 9, rx: 1.5, fill: "none", stroke: "currentColor",
      "stroke-width": 1.5 })) rect.setAttribute(k, String(v));
    svg.append(rect);
  }
  return svg;
}

const STATES = ["completed", "error", "running", "pending", "aborted", "aborting", "created"];

function badge(cell, state) {
  const cls = STATES.includes(state) ? state : "other";
  return h("span", { class: `runlab-badge runlab-state-${cls}`, title: cell.title || null }, cell.text);
}

function renderCell(name, cell, row, onLink) {
  const td = h("td", { class: `runlab-col-${name}` });
  if (name === "uid") {
    const copy = h("button", {
      class: "runlab-copy", title: "Copy the full uid", "aria-label": "Copy uid",
      onclick: (event) => {
        event.stopPropagation();
        navigator.clipboard?.writeText(row.uid).then(() => { copy.replaceChildren("✓"); });
      },
    }, copyIcon());
    td.append(h("span", { title: cell.title }, cell.text), copy);
  } else if (name === "state") {
    td.append(badge(cell, row.state));
  } else if ((cell.chips && cell.chips.length) || (cell.extra && cell.extra.length)) {
    // rounded values show whole on hover; the automatic labels (kind, owner, host) on request
    const full = cell.full || [];
    td.append(...(cell.chips || []).map((chip, i) => h("span", { class: "runlab-chip", title: full[i] || chip }, chip)));
    const extra = cell.extra || [];
    if (extra.length) {
      const hidden = h("span", { hidden: true }, extra.map((chip) => h("span", { class: "runlab-chip", title: chip }, chip)));
      const toggle = h("button", {
        class: "runlab-more-labels", title: "Show the automatic labels: " + extra.join(", "),
        onclick: () => { hidden.hidden = !hidden.hidden; toggle.textContent = hidden.hidden ? `+${extra.length}` : "−"; },
      }, `+${extra.length}`);
      td.append(hidden, toggle);
    }
  } else if (cell.links && cell.links.length) {
    td.append(...cell.links.map((link) => h("a", {
      class: "runlab-link", href: "#", title: link.href, role: "button",
      onclick: (event) => { event.preventDefault(); onLink(link); },
    }, link.label)));
  } else {
    td.append(h("span", { title: cell.title || null }, cell.text));
  }
  if (cell.sub) td.append(h("div", { class: "runlab-sub" }, cell.sub));
  return td;
}

// The kernel sends one page of rows at a time (``rows``, page ``page`` of ``total`` runs); a pager button asks
// it for another page, and the table redraws when that page's rows arrive.
function renderTable(model, state, onLink) {
  const columns = model.get("columns");
  const rows = model.get("rows");
  const total = model.get("total") ?? rows.length;
  const size = model.get("page_size") || 20;
  const page = model.get("page") || 0;
  const pages = Math.max(1, Math.ceil(total / size));
  const table = h("table", { class: "runlab-table" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((row) => h("tr", { "data-uid": row.uid, "data-iteration": row.iteration },
      columns.map((c) => renderCell(c, row.cells[c] || {}, row, onLink))))));
  const parts = [table];
  if (pages > 1) {
    const first = page * size + 1;
    const last = Math.min(total, page * size + rows.length);
    const button = (label, target, disabled) => h("button", {
      disabled, "aria-label": label, title: label,
      onclick: () => state.go(target),
    }, { "First page": "«", "Previous page": "‹", "Next page": "›", "Last page": "»" }[label]);
    parts.push(h("div", { class: "runlab-pager" },
      button("First page", 0, page === 0),
      button("Previous page", page - 1, page === 0),
      h("span", {}, `${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${total.toLocaleString("en")} runs`),
      button("Next page", page + 1, page >= pages - 1),
      button("Last page", pages - 1, page >= pages - 1),
      state.asked !== null && state.asked !== page ? h("span", { class: "runlab-sub" }, "loading…") : null));
  }
  return parts;
}

function renderIterations(model, state) {
  const data = model.get("iterations");
  if (!data) return [];
  let rows = data.rows.slice();
  if (state.sortColumn !== null) {
    const i = state.sortColumn;
    const sign = state.sortDescending ? -1 : 1;
    rows.sort((a, b) => {
      const x = a[i], y = b[i];
      if (typeof x === "number" && typeof y === "number") return sign * (x - y);
      return sign * show(x).localeCompare(show(y), undefined, { numeric: true });
    });
  }
  const iterIndex = data.columns.indexOf("iter");
  const header = data.columns.map((c, i) => h("th", {
    class: "runlab-sortable", tabindex: 0, title: "Sort by " + c,
    onclick: () => state.sortBy(i),
    onkeydown: (event) => { if (event.key === "Enter") state.sortBy(i); },
  }, c, state.sortColumn === i ? (state.sortDescending ? " ▼" : " ▲") : ""));
  const body = rows.map((row) => {
    const best = iterIndex >= 0 && row[iterIndex] === data.best;
    return h("tr", { class: best ? "runlab-best" : null, title: best ? "best iteration" : null },
      row.map((value, i) => h("td", {}, show(value), i === iterIndex && best ? " ★" : "")));
  });
  const parts = [h("div", { class: "runlab-heading" }, "Iterations"),
    h("table", { class: "runlab-table runlab-iterations" }, h("thead", {}, h("tr", {}, header)), h("tbody", {}, body))];
  const plot = model.get("plot");
  if (plot && plot.startsWith("data:image/")) parts.push(h("img", { class: "runlab-plot", src: plot, alt: "sweep plot" }));
  return parts;
}

function renderPreview(model) {
  const preview = model.get("preview");
  if (!preview) return [];
  const close = h("button", { class: "runlab-close", "aria-label": "Close preview",
    onclick: () => model.send({ type: "close_preview" }) }, "×");
  const head = h("div", { class: "runlab-preview-head" }, h("strong", {}, preview.title || ""), close);
  const box = h("div", { class: "runlab-preview", "data-kind": preview.kind || "loading" }, head);
  if (preview.loading) {
    box.append(h("div", { class: "runlab-sub" }, "loading…"));
    return [box];
  }
  if (preview.kind === "table") {
    const shape = preview.shape || [];
    box.append(h("div", { class: "runlab-sub" },
      `${shape[0] ?? "?"} rows × ${shape[1] ?? preview.columns.length} columns` +
      (preview.rows.length < (shape[0] ?? Infinity) ? ` (first ${preview.rows.length})` : "")));
    box.append(h("table", { class: "runlab-table" },
      h("thead", {}, h("tr", {}, preview.columns.map((c) => h("th", {}, c)))),
      h("tbody", {}, preview.rows.map((r) => h("tr", {}, r.map((v) => h("td", {}, show(v))))))));
  } else if (preview.kind === "image" && String(preview.src).startsWith("data:image/")) {
    box.append(h("img", { class: "runlab-image", src: preview.src, alt: preview.title }));
  } else if (preview.kind === "html") {
    const frame = h("iframe", { class: "runlab-frame", sandbox: "allow-scripts", title: preview.title });
    frame.srcdoc = preview.html;
    box.append(frame);
  } else if (preview.kind === "model") {
    box.append(h("pre", { class: "runlab-text" }, preview.text || ""));
  } else {
    if (preview.note) box.append(h("div", { class: "runlab-sub" }, preview.note));
    box.append(h("pre", { class: preview.kind === "error" ? "runlab-text runlab-error" : "runlab-text" }, preview.text || ""));
  }
  const links = fileLinks(preview.path, model.get("home"), preview.ref);
  if (links.length) {
    box.append(h("div", { class: "runlab-file-links" }, links.map(([label, href, download]) =>
      h("a", { href, target: "_blank", rel: "noopener", download: download ? "" : null }, label))));
  }
  return [box];
}

function render({ model, el }) {
  const root = h("div", { class: "runlab-widget" });
  el.append(root);
  const state = {
    asked: null, sortColumn: null, sortDescending: false,
    // the kernel answers with the page's rows ("loading…" shows until then)
    go(page) { state.asked = page; model.send({ type: "page", page }); draw(); },
    sortBy(i) {
      state.sortDescending = state.sortColumn === i ? !state.sortDescending : false;
      state.sortColumn = i;
      draw();
    },
  };
  const onLink = (link) => model.send({ type: "preview", ref: link.ref });
  function draw() {
    root.replaceChildren(
      ...renderTable(model, state, onLink),
      ...(model.get("live") ? [h("div", { class: "runlab-sub runlab-live" }, "● live: rows update until the runs end")] : []),
      ...renderIterations(model, state),
      ...renderPreview(model),
    );
  }
  const paged = () => { state.asked = null; draw(); };
  const names = ["columns", "preview", "iterations", "plot", "live", "total", "page_size"];
  draw();
  for (const name of names) model.on(`change:${name}`, draw);
  model.on("change:rows", paged);
  model.on("change:page", paged);
  return () => {
    for (const name of names) model.off(`change:${name}`, draw);
    model.off("change:rows", paged);
    model.off("change:page", paged);
  };
}

export default { render };
