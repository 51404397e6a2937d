"""The page script that times the compare view (the browser test and ``benchmarks/bench_compare.py`` share it;
it imports nothing, so a benchmark can load it before it points runlab at its store)."""

# From the click on Compare to the table drawn with all its run columns, measured in the page.
TIME_TO_TABLE = """async count => {
  const shown = selector => [...document.querySelectorAll(selector)].find(e => !e.closest('.lm-mod-hidden'));
  const button = shown('.runlab-runs-panel .runlab-runs-compare');
  const start = performance.now();
  button.click();
  for (;;) {
    await new Promise(resolve => requestAnimationFrame(resolve));
    const panel = shown('.runlab-compare-panel');
    if (panel && panel.querySelectorAll('.runlab-compare-table thead .runlab-compare-run').length === count
        && panel.querySelector('.runlab-compare-table tbody tr')) {
      return performance.now() - start;
    }
    if (performance.now() - start > 60000) throw new Error('no table within 60 s');
  }
}"""
