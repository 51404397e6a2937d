// The notebook runs table drawn from the data saved in its output: no kernel needed. With the server's
// runlab extension on the same store it pages, refreshes live rows, previews and aborts through the REST API;
// otherwise it shows the saved rows and says so. Every user string goes into the DOM as text.

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { copyIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { IPreview, RunlabClient } from '../api';
import { isSafeLink } from '../links';
import { ICell, IIterations, ILink, IRow, ISavedTable, pageKeys, pagerText, reachable, RUNS_MIME, show, tableProject } from './data';

const POLL_MS = 1000;
const STATES = ['completed', 'error', 'running', 'pending', 'aborted', 'aborting', 'created'];

/** What the table asks of JupyterLab: open a file, or a run in the Jobs panel's run view. */
export interface ITableActions {
  openFile(path: string): void;
  openRun(uid: string): void;
  /** Every run of a project in the Runs view. */
  openRuns(project: string): void;
}

type Child = Node | string | null | undefined | false;

function h(tag: string, attrs: Record<string, unknown> = {}, ...children: (Child | Child[])[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = String(value);
    } else if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value as EventListener);
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** The last `count` lines of a log, with a first line saying how many were left out. */
function lastLines(text: string, count: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.length <= count ? lines.join('\n') : [`… ${lines.length - count} lines before`, ...lines.slice(-count)].join('\n');
}

type Connection = 'checking' | 'live' | 'saved-other-store' | 'saved-no-server';

export class RunsTableView extends Widget implements IRenderMime.IRenderer {
  private table: ISavedTable | null = null;
  private rows: IRow[] = [];
  private page = 0;
  private asked: number | null = null;
  private connection: Connection = 'checking';
  private iterations: IIterations | null = null;
  private sort: { column: number; descending: boolean } | null = null;
  private child: { iteration: number; row: IRow | null; error: string; log?: string } | null = null;
  private preview: (IPreview & { loading?: boolean; ref?: ILink['ref'] }) | null = null;
  private aborting = new Set<string>();
  private timer = 0;
  private root = h('div', { class: 'runlab-nbtable runlab-widget' });
  /** A sweep's chart, kept across redraws: JupyterLab's Vega-Lite rendering of the server's spec. */
  private chart: { uid: string; host: HTMLElement; renderer: IRenderMime.IRenderer | null } | null = null;
  private themeWatch = new MutationObserver(() => void this.drawChart());

  constructor(
    private readonly client: RunlabClient,
    private readonly actions: ITableActions,
    private readonly rendermime: IRenderMimeRegistry | null = null
  ) {
    super();
    this.addClass('runlab-nbtable-output');
    this.node.append(this.root);
    this.root.addEventListener('copy', event => this.copyFullValues(event));
    // JupyterLab's Vega renderer picks its light or dark look when it draws: draw again on a theme change
    this.themeWatch.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.table = model.data[RUNS_MIME] as unknown as ISavedTable;
    this.rows = this.table.rows;
    this.iterations = this.table.iterations ?? null;
    this.draw();
    void this.connect();
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    this.themeWatch.disconnect();
    this.chart?.renderer?.dispose();
    super.dispose();
  }

  // -- the server --------------------------------------------------------------------------------

  /** Read the first page again: that tells whether the server reads the table's store (then live). */
  private async connect(): Promise<void> {
    await this.load(0);
  }

  private async load(page: number): Promise<void> {
    const table = this.table!;
    const size = Math.max(1, table.page_size);
    const single = table.total === 1;
    try {
      const answer = table.query
        ? await this.client.tableRows({ query: table.query, offset: page * size, limit: size, short: table.short })
        : await this.client.tableRows({ keys: pageKeys(table, page), short: table.short, sweep: single });
      if (answer.store !== table.store) {
        this.connection = 'saved-other-store';
      } else {
        this.connection = 'live';
        this.rows = answer.rows as unknown as IRow[];
        this.page = page;
        if (answer.iterations) {
          this.iterations = answer.iterations;
        }
        for (const row of this.rows) {
          if (row.terminal) {
            this.aborting.delete(row.uid);
          }
        }
      }
    } catch {
      this.connection = this.connection === 'live' ? 'live' : 'saved-no-server';
    }
    this.asked = null;
    this.draw();
    this.schedule();
  }

  /** Re-read the page in view every second while one of its runs goes on. */
  private schedule(): void {
    window.clearTimeout(this.timer);
    if (this.connection === 'live' && this.rows.some(row => !row.terminal) && !this.isDisposed) {
      this.timer = window.setTimeout(() => void this.load(this.page), POLL_MS);
    }
  }

  private go(page: number): void {
    this.asked = page;
    this.draw();
    void this.load(page);
  }

  // -- drawing -----------------------------------------------------------------------------------

  private draw(): void {
    this.root.replaceChildren(
      ...this.renderTable(),
      ...this.renderNote(),
      ...this.renderIterations(),
      ...this.renderPreview()
    );
  }

  private renderNote(): HTMLElement[] {
    const live = this.rows.some(row => !row.terminal);
    const note = {
      checking: '',
      live: live ? '● live: rows update until the runs end' : '',
      'saved-other-store': 'Rows as saved: the Jupyter server reads another runlab store.',
      'saved-no-server': 'Rows as saved: the runlab server extension does not answer.'
    }[this.connection];
    return note ? [h('div', { class: 'runlab-sub runlab-nbtable-note', 'data-connection': this.connection }, note)] : [];
  }

  private renderTable(): HTMLElement[] {
    const table = this.table!;
    const columns = table.columns;
    const size = Math.max(1, table.page_size);
    const total = this.connection === 'live' ? reachable(table) : table.rows.length;
    const pages = Math.max(1, Math.ceil(total / size));
    const element = h(
      'table',
      { class: 'runlab-table' },
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { class: `runlab-col-${c}` }, c)))),
      h(
        'tbody',
        {},
        this.rows.map(row =>
          h(
            'tr',
            { 'data-uid': row.uid, 'data-iteration': row.iteration },
            columns.map(c => this.renderCell(c, row.cells[c] ?? {}, row))
          )
        )
      )
    );
    const parts = [element];
    const project = this.connection === 'live' ? tableProject(table, this.rows) : null;
    if (project) {
      // the Runs view reads the server's store: offered only when that is the table's store
      parts.unshift(
        h('div', { class: 'runlab-nbtable-head' },
          h('button', { class: 'runlab-link runlab-nbtable-allruns', title: `Open the Runs view of project ${project}`,
            onclick: () => this.actions.openRuns(project) }, `All runs of ${project}`))
      );
    }
    if (table.total > size) {
      const first = this.page * size + 1;
      const last = Math.min(table.total, this.page * size + this.rows.length);
      const button = (label: string, symbol: string, target: number, disabled: boolean) =>
        h('button', { disabled, 'aria-label': label, title: label, onclick: () => this.go(target) }, symbol);
      parts.push(
        h(
          'div',
          { class: 'runlab-pager' },
          button('First page', '«', 0, this.page === 0),
          button('Previous page', '‹', this.page - 1, this.page === 0),
          h('span', {}, pagerText(first, last, table.total)),
          button('Next page', '›', this.page + 1, this.page >= pages - 1),
          button('Last page', '»', pages - 1, this.page >= pages - 1),
          this.asked !== null ? h('span', { class: 'runlab-sub' }, 'loading…') : null,
          total < table.total
            ? h('span', { class: 'runlab-sub' }, `the saved table pages through its first ${total.toLocaleString('en')}`)
            : null
        )
      );
    }
    return parts;
  }

  private renderCell(name: string, cell: ICell, row: IRow): HTMLElement {
    const td = h('td', { class: `runlab-col-${name}` });
    if (name === 'uid') {
      const copy = h(
        'button',
        {
          class: 'runlab-copy',
          title: 'Copy the full uid',
          'aria-label': 'Copy uid',
          onclick: (event: Event) => {
            event.stopPropagation();
            void navigator.clipboard?.writeText(row.uid).then(() => copy.replaceChildren('✓'));
          }
        },
        copyIcon.element({ tag: 'span', height: '12px', width: '12px' })
      );
      td.append(h('span', { title: cell.title }, cell.text ?? ''), copy);
    } else if (name === 'state') {
      td.append(this.renderState(cell, row));
    } else if (cell.chips?.length || cell.extra?.length) {
      this.renderChips(td, cell);
    } else if (cell.links?.length) {
      td.append(
        ...cell.links.map(link =>
          h(
            'a',
            {
              class: 'runlab-link',
              href: '#',
              title: link.href,
              role: 'button',
              onclick: (event: Event) => {
                event.preventDefault();
                void this.openPreview(link, row);
              }
            },
            link.label
          )
        )
      );
    } else {
      td.append(h('span', { class: 'runlab-nbtable-line', title: cell.title || cell.text || null }, cell.text ?? ''));
    }
    if (cell.sub) {
      td.append(h('div', { class: 'runlab-sub' }, cell.sub));
    }
    return td;
  }

  private renderChips(td: HTMLElement, cell: ICell): void {
    const full = cell.full ?? [];
    td.append(
      ...(cell.chips ?? []).map((chip, i) =>
        h('span', { class: 'runlab-chip', title: full[i] || chip, 'data-full': full[i] || null }, chip)
      )
    );
    const extra = cell.extra ?? [];
    if (extra.length) {
      const hidden = h('span', { class: 'runlab-nbtable-extra', hidden: true },
        extra.map(chip => h('span', { class: 'runlab-chip', title: chip }, chip)));
      const toggle = h(
        'button',
        {
          class: 'runlab-nbtable-more',
          title: `Show the automatic labels: ${extra.join(', ')}`,
          'aria-expanded': 'false',
          onclick: () => {
            const open = hidden.hidden;
            hidden.hidden = !open;
            toggle.setAttribute('aria-expanded', String(open));
            toggle.textContent = open ? '−' : `+${extra.length}`;
          }
        },
        `+${extra.length}`
      );
      td.append(hidden, toggle);
    }
  }

  private renderState(cell: ICell, row: IRow): HTMLElement {
    const state = this.aborting.has(row.uid) && !row.terminal ? 'aborting' : row.state;
    const cls = STATES.includes(state) ? state : 'other';
    const badge = h('span', { class: `runlab-badge runlab-state-${cls}`, title: cell.title || null }, state);
    if (row.terminal || this.connection !== 'live' || row.iteration !== 0) {
      return badge;
    }
    if (this.aborting.has(row.uid) || row.state === 'aborting') {
      return h('span', { class: 'runlab-nbtable-state' }, badge, h('span', { class: 'runlab-sub' }, ' aborting…'));
    }
    const abort = h(
      'button',
      { class: 'runlab-nbtable-abort', title: 'Abort this run', 'aria-label': 'Abort', onclick: () => void this.abort(row) },
      'Abort'
    );
    return h('span', { class: 'runlab-nbtable-state' }, badge, abort);
  }

  private async abort(row: IRow): Promise<void> {
    const name = row.cells.name?.text || row.uid.slice(0, 8);
    const answer = await showDialog({
      title: 'Abort the run?',
      body: `Abort ${name} (${row.uid.slice(0, 8)})? Its process is stopped.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Abort' })]
    });
    if (!answer.button.accept) {
      return;
    }
    this.aborting.add(row.uid);
    this.draw();
    try {
      await this.client.abort(row.uid);
    } catch (error) {
      this.aborting.delete(row.uid);
      void showDialog({ title: 'Cannot abort the run', body: String((error as Error).message ?? error),
        buttons: [Dialog.okButton()] });
    }
    void this.load(this.page);
  }

  // -- a sweep's iterations ----------------------------------------------------------------------

  private renderIterations(): HTMLElement[] {
    const data = this.iterations;
    if (!data) {
      return [];
    }
    const rows = data.rows.slice();
    if (this.sort) {
      const { column, descending } = this.sort;
      const sign = descending ? -1 : 1;
      rows.sort((a, b) => {
        const x = a[column];
        const y = b[column];
        if (typeof x === 'number' && typeof y === 'number') {
          return sign * (x - y);
        }
        return sign * show(x).localeCompare(show(y), undefined, { numeric: true });
      });
    }
    const at = data.columns.indexOf('iter');
    const sortBy = (i: number) => {
      this.sort = { column: i, descending: this.sort?.column === i ? !this.sort.descending : false };
      this.draw();
    };
    const header = data.columns.map((c, i) =>
      h(
        'th',
        {
          class: 'runlab-sortable',
          tabindex: 0,
          title: 'Sort by ' + c,
          onclick: () => sortBy(i),
          onkeydown: (event: KeyboardEvent) => event.key === 'Enter' && sortBy(i)
        },
        c,
        this.sort?.column === i ? (this.sort.descending ? ' ▼' : ' ▲') : ''
      )
    );
    const body = rows.map(row => {
      const iteration = at >= 0 ? Number(row[at]) : NaN;
      const best = at >= 0 && row[at] === data.best;
      const open = () => void this.openChild(iteration);
      const clickable = this.connection === 'live' && Number.isInteger(iteration);
      return h(
        'tr',
        {
          class: [best ? 'runlab-best' : '', clickable ? 'runlab-nbtable-clickable' : ''].join(' ').trim() || null,
          title: clickable ? `Open iteration ${iteration}` + (best ? ' (best)' : '') : best ? 'best iteration' : null,
          tabindex: clickable ? 0 : null,
          'data-iteration': Number.isInteger(iteration) ? iteration : null,
          onclick: clickable ? open : null,
          onkeydown: clickable ? (event: KeyboardEvent) => event.key === 'Enter' && open() : null
        },
        row.map((value, i) => {
          const rounded = typeof value === 'number' && !Number.isInteger(value);
          return h('td', { title: rounded ? String(value) : null },
            rounded ? String(Number((value as number).toPrecision(4))) : show(value), i === at && best ? ' ★' : '');
        })
      );
    });
    const parts = [
      h('div', { class: 'runlab-heading' }, 'Iterations'),
      h('table', { class: 'runlab-table runlab-iterations' }, h('thead', {}, h('tr', {}, header)), h('tbody', {}, body))
    ];
    if (this.child) {
      parts.push(this.renderChild());
    }
    const parent = this.rows[0];
    if (parent && this.connection === 'live') {
      if (this.chart?.uid !== parent.uid) {
        this.chart?.renderer?.dispose();
        this.chart = { uid: parent.uid, host: h('div', { class: 'runlab-sweep-chart' }), renderer: null };
        void this.drawChart();
      }
      parts.push(this.chart.host);
    } else if (parent && this.connection !== 'checking') {
      parts.push(h('div', { class: 'runlab-sub runlab-sweep-chart-note' },
        'The chart is drawn from the store: open this notebook where the server reads it.'));
    }
    return parts;
  }

  /** The sweep's chart from the server's spec, by the renderer JupyterLab registered for its MIME type
   * (Vega-Lite: themed, with tooltips), or the server's note saying why there is none. */
  private async drawChart(): Promise<void> {
    const chart = this.chart;
    if (!chart || this.isDisposed) {
      return;
    }
    const say = (text: string) => chart.host.replaceChildren(h('div', { class: 'runlab-sub runlab-sweep-chart-note' }, text));
    try {
      const answer = await this.client.chart(chart.uid);
      if (this.chart !== chart || this.isDisposed) {
        return;
      }
      const data = { [answer.mime_type]: answer.spec } as never;
      if (!answer.spec) {
        say(answer.note);
        return;
      }
      if (!this.rendermime?.preferredMimeType(data, 'any')) {
        say(`JupyterLab has no renderer for ${answer.mime_type} here, so the chart cannot be drawn.`);
        return;
      }
      chart.renderer?.dispose();
      const renderer = this.rendermime.createRenderer(answer.mime_type);
      chart.renderer = renderer;
      chart.host.replaceChildren(renderer.node);
      const options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
      await renderer.renderModel(new MimeModel({ data, metadata: { [answer.mime_type]: { embed_options: options } } as never }));
    } catch (error) {
      if (this.chart === chart) {
        say(`The chart could not be drawn: ${(error as Error).message ?? error}`);
      }
    }
  }

  private async openChild(iteration: number): Promise<void> {
    const parent = this.rows[0];
    if (!parent) {
      return;
    }
    this.child = { iteration, row: null, error: '' };
    this.draw();
    try {
      const answer = await this.client.tableRows({ keys: [[parent.uid, iteration]], short: this.table!.short });
      this.child = { iteration, row: (answer.rows[0] as unknown as IRow) ?? null,
        error: answer.rows.length ? '' : 'this iteration is not in the store' };
      if (answer.rows.length) {
        this.draw();
        const log = await this.client.log(parent.uid, iteration, 0);
        this.child = { ...this.child, log: log.text };
      }
    } catch (error) {
      this.child = { iteration, row: null, error: String((error as Error).message ?? error) };
    }
    this.draw();
  }

  private renderChild(): HTMLElement {
    const child = this.child!;
    const close = h('button', { class: 'runlab-close', 'aria-label': 'Close iteration', onclick: () => {
      this.child = null;
      this.draw();
    } }, '×');
    const head = h('div', { class: 'runlab-preview-head' }, h('strong', {}, `Iteration ${child.iteration}`), close);
    const box = h('div', { class: 'runlab-nbtable-child', 'data-iteration': child.iteration }, head);
    if (child.error) {
      box.append(h('div', { class: 'runlab-error' }, child.error));
    } else if (!child.row) {
      box.append(h('div', { class: 'runlab-sub' }, 'loading…'));
    } else {
      const row = child.row;
      const names = ['state', 'start', 'parameters', 'results', 'artifacts'].filter(n => n in row.cells);
      box.append(
        h('table', { class: 'runlab-table' }, h('tbody', {}, names.map(n =>
          h('tr', {}, h('th', {}, n), this.renderCell(n, row.cells[n], row))))),
        child.log === undefined
          ? h('div', { class: 'runlab-sub' }, 'loading the log…')
          : h('pre', { class: 'runlab-text runlab-nbtable-log' }, child.log ? lastLines(child.log, 40) : '(no log)'),
        h('button', { class: 'runlab-nbtable-open-run', onclick: () => this.actions.openRun(row.uid) },
          'Open the sweep in the run view (log, every iteration)')
      );
    }
    return box;
  }

  // -- previews ----------------------------------------------------------------------------------

  private async openPreview(link: ILink, row: IRow): Promise<void> {
    const title = link.ref.key ?? link.ref.url ?? link.label;
    if (this.connection !== 'live') {
      this.preview = { kind: 'error', title, path: '', text: 'no preview: the runlab server extension does not read this store' };
      this.draw();
      return;
    }
    this.preview = { kind: 'none', title, path: '', loading: true };
    this.draw();
    try {
      const preview =
        link.ref.url !== undefined
          ? await this.client.inputPreview(row.uid, row.iteration, link.label)
          : await this.client.preview(link.ref.uid ?? row.uid, link.ref.iteration ?? row.iteration, link.ref.key ?? '');
      this.preview = { ...preview, ref: link.ref };
    } catch (error) {
      this.preview = { kind: 'error', title, path: '', text: String((error as Error).message ?? error) };
    }
    this.draw();
  }

  private renderPreview(): HTMLElement[] {
    const preview = this.preview;
    if (!preview) {
      return [];
    }
    const close = h('button', { class: 'runlab-close', 'aria-label': 'Close preview', onclick: () => {
      this.preview = null;
      this.draw();
    } }, '×');
    const head = h('div', { class: 'runlab-preview-head' }, h('strong', {}, preview.title || ''), close);
    const box = h('div', { class: 'runlab-preview', 'data-kind': preview.loading ? 'loading' : preview.kind }, head);
    if (preview.loading) {
      box.append(h('div', { class: 'runlab-sub' }, 'loading…'));
      return [box];
    }
    if (preview.kind === 'table') {
      const shape = preview.shape ?? [];
      const columns = preview.columns ?? [];
      const rows = preview.rows ?? [];
      box.append(
        h('div', { class: 'runlab-sub' },
          `${shape[0] ?? '?'} rows × ${shape[1] ?? columns.length} columns` +
          (rows.length < (shape[0] ?? Infinity) ? ` (first ${rows.length})` : '')),
        h('table', { class: 'runlab-table' },
          h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c)))),
          h('tbody', {}, rows.map(r => h('tr', {}, r.map(v => h('td', {}, show(v)))))))
      );
    } else if (preview.kind === 'image' && String(preview.src).startsWith('data:image/')) {
      box.append(h('img', { class: 'runlab-image', src: preview.src, alt: preview.title }));
    } else if (preview.kind === 'html') {
      const frame = h('iframe', { class: 'runlab-frame', sandbox: 'allow-scripts', title: preview.title }) as HTMLIFrameElement;
      frame.srcdoc = preview.html ?? '';
      box.append(frame);
    } else {
      if (preview.note) {
        box.append(h('div', { class: 'runlab-sub' }, preview.note));
      }
      box.append(h('pre', { class: preview.kind === 'error' ? 'runlab-text runlab-error' : 'runlab-text' }, preview.text ?? ''));
    }
    const links = this.fileLinks(preview);
    if (links.length) {
      box.append(h('div', { class: 'runlab-file-links' }, links));
    }
    return [box];
  }

  /** "Open in JupyterLab" (in this page, through the document manager) and "Download" for a file under the
   * server's folder; "Download" through the API for an artifact elsewhere. */
  private fileLinks(preview: IPreview & { ref?: ILink['ref'] }): HTMLElement[] {
    const base = PageConfig.getBaseUrl();
    const relative = this.underRoot(preview.path);
    const links: HTMLElement[] = [];
    if (relative !== null) {
      const encoded = relative.split('/').map(encodeURIComponent).join('/');
      links.push(h('a', { href: `${base}lab/tree/${encoded}`, onclick: (event: Event) => {
        event.preventDefault();
        this.actions.openFile(relative);
      } }, 'Open in JupyterLab'));
      links.push(h('a', { href: `${base}files/${encoded}`, download: '', target: '_blank', rel: 'noopener' }, 'Download'));
    } else if (preview.ref?.uid && preview.ref.key) {
      links.push(h('a', { href: this.client.artifactUrl(preview.ref.uid, preview.ref.iteration ?? 0, preview.ref.key, true),
        download: '', target: '_blank', rel: 'noopener' }, 'Download'));
    }
    return links.filter(link => isSafeLink(link.getAttribute('href')));
  }

  private underRoot(path: string | undefined): string | null {
    if (!path) {
      return null;
    }
    const local = path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
    if (/^[a-z][a-z0-9+.-]*:/i.test(local)) {
      return null;
    }
    let root = (PageConfig.getOption('serverRoot') || '').replace(/\\/g, '/').replace(/\/+$/, '');
    if (!local.startsWith('/')) {
      return local.replace(/^\.\//, '');
    }
    if (root.startsWith('~')) {
      return null;
    }
    return root && local.startsWith(root + '/') ? local.slice(root.length + 1) : null;
  }

  /** Copying rows copies each rounded value whole. */
  private copyFullValues(event: ClipboardEvent): void {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !event.clipboardData) {
      return;
    }
    const fragment = h('div');
    for (let i = 0; i < selection.rangeCount; i++) {
      fragment.append(selection.getRangeAt(i).cloneContents());
    }
    const shortened = fragment.querySelectorAll('[data-full]');
    if (!shortened.length) {
      return;
    }
    shortened.forEach(chip => (chip.textContent = chip.getAttribute('data-full')));
    fragment.querySelectorAll('tr').forEach(tr => tr.append('\n'));
    fragment.querySelectorAll('td, th, .runlab-chip').forEach(cell => cell.append('\t'));
    event.clipboardData.setData('text/plain', (fragment.textContent ?? '').replace(/\t+\n/g, '\n').trim());
    event.preventDefault();
  }
}
