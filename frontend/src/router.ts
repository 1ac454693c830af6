// The pages of the map page's address (#/planner, #/match, #/cases; none: the map itself) and the
// one router that opens them. Each page is one row of a table (main.ts PAGES): its hash, the roles
// that may open it, and its init/open/close. The router refuses a page the role may not open
// (the page's own Japanese notice), closes the page that was open before opening the next, and
// says which page is shown in body[data-route].

export interface PageRow {
  /** body[data-route] while the page is shown. */
  id: string;
  /** The address that opens it ('#/match'). */
  hash: string;
  /** The roles that may open it ('public' for nobody signed in), or 'everyone'. */
  roles: readonly string[] | 'everyone';
  /** The body class while it is shown (the layout gives way to the page). */
  bodyClass: string;
  /** The i18n key of the notice for a role that may not open it. */
  denied?: (signedIn: boolean) => string;
  /** Loads and sets up the page's code, once, before its first opening. */
  init(): Promise<void>;
  open(): Promise<void>;
  close(): void;
  isOpen(): boolean;
  /** Opened afresh when the role changes while it is shown (it shows each role its own figures). */
  reopenForRole?: boolean;
  /** Gives the page's texts in the current language. */
  relabel?(): void;
}

export interface RouterHost {
  /** The signed-in role, 'public' when nobody is. */
  role(): string;
  /** Shows the refusal notice, or hides it (null). */
  deny(text: string | null): void;
  /** Called when the map is shown again after a page (focus goes back to the list). */
  backToMap(): void;
  t(key: string): string;
}

export function mayOpen(row: PageRow, role: string): boolean {
  return row.roles === 'everyone' || row.roles.includes(role);
}

export class Router {
  private readonly inited = new Set<string>();
  private openedRole = new Map<string, string>();

  constructor(
    private readonly pages: readonly PageRow[],
    private readonly host: RouterHost,
  ) {}

  /** The row of an address (null: the map). */
  rowOf(hash: string): PageRow | null {
    return this.pages.find((p) => p.hash === hash) ?? null;
  }

  /** The routing under way; the next one starts after it (see route). */
  private running: Promise<void> = Promise.resolve();

  /** Shows the page of the current address: refused, or the open one closed and the new one opened.
   *  One at a time: a call made while another is under way (a sign-in ending while a link is
   *  followed) waits for it and then reads the address and the role as they are by then. Two at
   *  once would each open the page, and the second opening would drop what the first had started
   *  on it (a running analysis). */
  route(hash?: string): Promise<void> {
    const next = this.running.then(() => this.routeNow(hash ?? window.location.hash));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async routeNow(hash: string): Promise<void> {
    const role = this.host.role();
    const wanted = this.rowOf(hash);
    const allowed = !!wanted && mayOpen(wanted, role);
    const target = allowed ? wanted : null;
    this.host.deny(wanted && !allowed ? this.host.t(wanted.denied?.(role !== 'public') ?? `${wanted.id}.denied`) : null);
    // The layout of the page that is shown (pages may share one class).
    const classes = new Set(this.pages.map((p) => p.bodyClass));
    for (const c of classes) document.body.classList.toggle(c, c === target?.bodyClass);
    // Leaving first: the open page's layers and memory go before the next one comes.
    let left = false;
    for (const p of this.pages) {
      if (p !== target && p.isOpen()) {
        p.close();
        this.openedRole.delete(p.id);
        left = true;
      }
    }
    if (left && !target) this.host.backToMap();
    if (target && (!target.isOpen() || (target.reopenForRole && this.openedRole.get(target.id) !== role))) {
      if (!this.inited.has(target.id)) {
        await target.init();
        this.inited.add(target.id);
      }
      this.openedRole.set(target.id, role);
      await target.open();
    }
    document.body.dataset.route = target?.id ?? 'map';
  }

  relabel(): void {
    for (const p of this.pages) if (this.inited.has(p.id)) p.relabel?.();
  }
}
