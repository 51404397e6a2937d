// The runlab server extension's REST API (python/runlab/server/openapi.yaml), typed.
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
/** An answer other than 2xx/304: the status and the server's message. */
export class RunlabApiError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}
export class RunlabClient {
    constructor(settings = ServerConnection.makeSettings()) {
        this.settings = settings;
    }
    url(...parts) {
        return URLExt.join(this.settings.baseUrl, 'runlab', 'api', ...parts.map(p => encodeURIComponent(String(p))));
    }
    async projects() {
        return (await this.json(this.url('projects'))).projects;
    }
    /** The project's jobs, or null while nothing changed since the ETag of the last answer. */
    async jobs(project, filter, etag) {
        const query = filter ? `?q=${encodeURIComponent(filter)}` : '';
        const response = await this.request(this.url('projects', project, 'jobs') + query, {
            headers: etag ? { 'If-None-Match': etag } : {}
        });
        if (response.status === 304) {
            return null;
        }
        const data = (await response.json());
        return { jobs: data.jobs, etag: response.headers.get('ETag') ?? '' };
    }
    async runs(query) {
        const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
        return this.json(`${this.url('runs')}?${search}`);
    }
    async run(uid, iteration = 0) {
        return this.json(`${this.url('runs', uid)}?iteration=${iteration}`);
    }
    async log(uid, iteration, offset) {
        return this.json(`${this.url('runs', uid, iteration, 'log')}?offset=${offset}`);
    }
    async preview(uid, iteration, key) {
        return this.json(this.url('runs', uid, iteration, 'artifacts', key, 'preview'));
    }
    artifactUrl(uid, iteration, key, download) {
        return this.url('runs', uid, iteration, 'artifacts', key) + (download ? '?download=1' : '');
    }
    async abort(uid) {
        return this.json(this.url('runs', uid, 'abort'), { method: 'POST' });
    }
    async rerun(uid) {
        return this.json(this.url('runs', uid, 'rerun'), { method: 'POST' });
    }
    async remove(uid) {
        await this.json(this.url('runs', uid), { method: 'DELETE' });
    }
    async schedules(project) {
        return (await this.json(`${this.url('schedules')}?project=${encodeURIComponent(project)}`))
            .schedules;
    }
    async scheduleEvents(project, name) {
        return (await this.json(this.url('schedules', project, name))).events;
    }
    async scheduleAction(project, name, action) {
        await this.json(this.url('schedules', project, name, action), { method: 'POST' });
    }
    async deleteSchedule(project, name) {
        await this.json(this.url('schedules', project, name), { method: 'DELETE' });
    }
    async request(url, init = {}) {
        let response;
        try {
            response = await ServerConnection.makeRequest(url, init, this.settings);
        }
        catch (error) {
            throw new RunlabApiError(0, `cannot reach the Jupyter server: ${error}`);
        }
        if (!response.ok && response.status !== 304) {
            let message = response.statusText;
            try {
                message = (await response.json()).message ?? message;
            }
            catch {
                // not JSON: keep the status text
            }
            throw new RunlabApiError(response.status, message);
        }
        return response;
    }
    async json(url, init = {}) {
        return (await (await this.request(url, init)).json());
    }
}
//# sourceMappingURL=api.js.map