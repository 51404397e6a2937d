"""Security probes: XSS through user strings and unsafe links in every renderer of runs, and inputs recorded
from inside a run checked like ``inputs=``."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import runlab
from runlab.display import runs_html
from runlab.display.links import is_safe_link
from runlab.display.widget import RunsWidget
from runlab.store import get_store

PAYLOAD = "javascript://%0aalert(1)"
WIDGET_JS = Path(runlab.__file__).parent / "display" / "runs_widget.js"
NEEDS_NODE = pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the widget's JS")

SAFE_LINKS = ["http://example.org/a.csv", "HTTPS://example.org/a", "/runlab/api/runs/u/0/artifacts/k?download=1",
              "files/data.csv", "./a:b.csv", "data folder/a b.csv"]
UNSAFE_LINKS = [PAYLOAD, "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                "\x01javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript:alert(1) ",
                "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
                "/\\evil.example/x", "\\\\evil.example\\x", "s3://bucket/key.csv", "file:///etc/passwd",
                "memory://k", "store://artifacts/p/k", "a:b.csv", ""]


class _Page(HTMLParser):
    """The parts of an HTML page a script could hide in: tags, their attributes and the text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def hrefs(self) -> list[str]:
        return [value or "" for name, value in self.attrs if name in ("href", "src")]


def run_handler(handler, **kwargs):
    return runlab.new_function(kind="local", name="probe").run(handler=handler, **kwargs)


def tamper(run, inputs: dict[str, str] | None = None, **changes) -> None:
    """Write fields (and inputs) straight into the store, as an old or tampered record would hold them."""
    store = get_store()
    if inputs is not None:
        changes["spec"] = {**store.get_run(run.uid()).spec, "inputs": inputs}
    store.update_run(run.uid(), 0, changes)


def last_run():
    return runlab.get_or_create_project("default").list_runs()[0]


# -- inputs recorded from inside a run -----------------------------------------------------------------


@pytest.mark.parametrize("url", [PAYLOAD, "JaVaScRiPt://alert(1)", " javascript://x", "java\tscript://x",
                                 "vbscript://msgbox(1)", "nosuchproto://x"])
def test_get_input_refuses_a_url_no_data_store_reads_and_records_nothing(tmp_path, url):
    (tmp_path / "data.csv").write_text("a\n1\n")

    def handler(context):
        try:
            context.get_input("evil", url)
        except runlab.InvalidInputError as exc:
            context.log_result("refused", str(exc))
        context.log_result("inputs", sorted(context.inputs))

    run = run_handler(handler, inputs={"data": str(tmp_path / "data.csv")})
    message = run.outputs["refused"]
    assert "input 'evil'" in message and repr(url) in message
    assert all(scheme in message for scheme in ("store", "file", "memory", "s3", "https")), "names the schemes"
    assert run.outputs["inputs"] == ["data"]
    assert run.spec.inputs == {"data": str(tmp_path / "data.csv")}, "the run's record is unchanged"


def test_a_refused_input_that_ends_the_run_leaves_its_inputs_as_they_were(tmp_path):
    (tmp_path / "data.csv").write_text("a\n1\n")

    def handler(context):
        context.get_input("evil", PAYLOAD)

    with pytest.raises(runlab.RunError, match="InvalidInputError"):
        run_handler(handler, inputs={"data": str(tmp_path / "data.csv")})
    assert last_run().spec.inputs == {"data": str(tmp_path / "data.csv")}


def test_get_input_defaults_get_every_check_of_inputs(tmp_path):
    def handler(context):
        refused = {}
        for key, url in (("missing", str(tmp_path / "missing.csv")), ("artifact", "store://artifacts/default/nothing")):
            try:
                context.get_input(key, url)
            except runlab.InvalidInputError as exc:
                refused[key] = str(exc)
        context.log_result("refused", refused)
        context.log_result("inputs", sorted(context.inputs))

    run = run_handler(handler)
    assert set(run.outputs["refused"]) == {"missing", "artifact"}
    assert "no such file" in run.outputs["refused"]["missing"]
    assert run.outputs["inputs"] == [] and not run.spec.inputs


def test_inputs_given_to_a_run_are_refused_with_the_same_message(tmp_path):
    with pytest.raises(runlab.InvalidInputError, match=r"input 'evil': 'javascript://%0aalert\(1\)' has protocol "
                                                       r"'javascript'.*store"):
        run_handler(lambda context: None, inputs={"evil": PAYLOAD})
    assert runlab.get_or_create_project("default").list_runs() == [], "nothing recorded"


# -- the link rule, in Python and in the widget's JS -------------------------------------------------------


@pytest.mark.parametrize("url", SAFE_LINKS)
def test_http_and_relative_urls_may_be_links(url):
    assert is_safe_link(url)


@pytest.mark.parametrize("url", UNSAFE_LINKS)
def test_script_data_store_and_protocol_relative_urls_are_never_links(url):
    assert not is_safe_link(url)


def node(tmp_path: Path, script: str) -> str:
    """Run an ES module that imports the widget's JS as ``widget`` and return what it prints."""
    shutil.copy(WIDGET_JS, tmp_path / "runs_widget.mjs")
    (tmp_path / "probe.mjs").write_text('import * as widget from "./runs_widget.mjs";\n' + script)
    done = subprocess.run(["node", str(tmp_path / "probe.mjs")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@NEEDS_NODE
def test_the_widget_js_applies_the_same_link_rule(tmp_path):
    urls = SAFE_LINKS + UNSAFE_LINKS
    out = node(tmp_path, f"console.log(JSON.stringify({json.dumps(urls)}.map(widget.isSafeLink)));")
    assert json.loads(out) == [is_safe_link(url) for url in urls]


# A DOM just big enough for the widget to draw into, and a model holding the widget's synced state: the widget
# draws a preview as a user who clicked the input's link sees it, and the probe prints every link it made.
FAKE_DOM = """
class Node {
  constructor(tag) { this.tag = tag; this.attrs = {}; this.children = []; this.text = ""; }
  setAttribute(name, value) { this.attrs[name] = String(value); }
  addEventListener() {}
  append(...nodes) { this.children.push(...nodes); }
  replaceChildren(...nodes) { this.children = nodes; }
  walk(visit) { visit(this); for (const child of this.children) child.walk(visit); }
}
class Text extends Node { constructor(text) { super("#text"); this.text = text; } }
globalThis.Node = Node;
const config = new Node("script");
config.textContent = JSON.stringify({ serverRoot: state.root, baseUrl: "/" });
globalThis.document = {
  createElement: (tag) => new Node(tag), createElementNS: (ns, tag) => new Node(tag),
  createTextNode: (text) => new Text(text),
  getElementById: (id) => (id === "jupyter-config-data" ? config : null),
};
"""


@NEEDS_NODE
def test_a_stored_javascript_input_is_text_in_the_widget_and_its_preview(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    run = run_handler(lambda context: None, inputs={"data": str(data)})
    tamper(run, inputs={"evil": PAYLOAD, "data": str(data)})
    widget = RunsWidget([runlab.get_run(run.uid())])
    try:
        state = {"columns": widget.columns, "rows": widget.rows, "home": widget.home, "root": str(tmp_path),
                 "previews": [widget.open_preview({"url": url}) for url in (PAYLOAD, str(data))]}
    finally:
        widget.close()
    assert state["previews"][0]["path"] == PAYLOAD, "the preview carries the stored URL"
    out = node(tmp_path, f"const state = {json.dumps(state)};\n" + FAKE_DOM + """
const links = [];
for (const preview of state.previews) {
  const values = { ...state, preview, live: false, iterations: null, plot: "", page_size: 20 };
  const model = { get: (name) => values[name], on() {}, off() {}, send() {} };
  const el = new Node("div");
  widget.default.render({ model, el });
  el.walk((node) => { if (node.tag === "a") links.push(node.attrs.href); });
}
console.log(JSON.stringify(links));
""")
    hrefs = json.loads(out)
    assert PAYLOAD not in hrefs and all(is_safe_link(href) for href in hrefs), hrefs
    assert "/lab/tree/data.csv" in hrefs and "/files/data.csv" in hrefs, "a file under the server's root opens"


# -- the static HTML table -----------------------------------------------------------------------------


def test_stored_unsafe_inputs_are_text_in_the_static_html(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("a\n1\n")
    run = run_handler(lambda context: None, inputs={"data": str(tmp_path / "data.csv")})
    urls = {f"u{i}": url for i, url in enumerate(UNSAFE_LINKS) if "://" in url}
    inputs = {**urls, "local": str(tmp_path / "data.csv"), "remote": "https://example.org/a.csv",
              "colon": str(tmp_path / "javascript:alert(1)"), "tab": "java\tscript:alert(1)"}
    tamper(run, inputs=inputs)
    page = _Page(runs_html([runlab.get_run(run.uid())]))
    assert sorted(page.hrefs) == ["./javascript:alert(1)", "data.csv", "https://example.org/a.csv"], \
        "a local file named 'javascript:...' stays a relative path"
    assert all(key in page.text for key in [*urls, "tab"]), "each unsafe input is shown, as text"
    assert PAYLOAD in [value for name, value in page.attrs if name == "title"], "its URL is in the hover text"


EVIL = '"onmouseover=x <script>y\''  # short enough that chips show it whole


def test_user_strings_are_escaped_in_the_static_html(tmp_path):
    def handler(context, note=""):
        context.set_label("team", note)
        context.log_result(note, note)
        context.log_artifact("notes", body="text")
        raise ValueError(note)

    with pytest.raises(runlab.RunError):
        run_handler(handler, params={"note": EVIL})
    run = last_run()
    tamper(run, name=EVIL)
    store = get_store()
    row = store.get_artifact("default", "notes", uid=run.uid())
    store.add_artifact({**{k: v for k, v in row.items() if k not in ("id", "version")}, "key": EVIL})
    page = _Page(runs_html([runlab.get_run(run.uid())]))
    assert "script" not in page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on") or name.startswith('"')]
    assert "".join(page.text).count(EVIL) == 6, "as text: name, label, param, result key and value, artifact key"
    assert f"ValueError: {EVIL}" in [value for name, value in page.attrs if name == "title"], "the error"
