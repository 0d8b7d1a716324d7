/**
 * Just enough of a browser for HTTP-level web tests: cookies by name and path, redirects followed
 * by hand (or by `follow`), form posts.
 */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export class WebClient {
  private readonly jar = new Map<string, { name: string; value: string; path: string }>();

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = [...this.jar.values()].filter((c) => u.pathname.startsWith(c.path));
    if (cookies.length) headers.set('cookie', cookies.map((c) => `${c.name}=${c.value}`).join('; '));
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  post(url: string | URL, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(fields).toString() });
  }

  /** Follows redirects (GET) from `res` until a page; returns it with its URL. */
  async follow(res: Response, from: string | URL): Promise<{ res: Response; url: URL }> {
    let url = new URL(from);
    for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
      url = new URL(res.headers.get('location') ?? '', url);
      res = await this.fetch(url);
    }
    return { res, url };
  }

  cookie(name: string): string | undefined {
    return [...this.jar.values()].find((c) => c.name === name)?.value;
  }

  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(`${name} ${path}`, { name, value, path });
  }

  private store(line: string): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
    const expired = attrs.some((a) => /^max-age=0$/i.test(a) || /^expires=.*1970/i.test(a));
    if (expired || value === '') this.jar.delete(`${name} ${path}`);
    else this.jar.set(`${name} ${path}`, { name, value, path });
  }
}
