import { kubeFetch } from "./auth.ts";
// A minimal informer over the raw watch API: applies events to a map and remembers the last revision.

export interface WatchEvent {
  type: string;
  object: any;
}

export class Informer {
  readonly state = new Map<string, string>(); // name → resourceVersion
  readonly events: WatchEvent[] = [];
  lastRv = 0;
  error: unknown;
  private abort = new AbortController();
  done: Promise<void>;

  constructor(url: string) {
    this.done = this.run(url);
  }

  private async run(url: string): Promise<void> {
    try {
      const res = await kubeFetch(url, { signal: this.abort.signal });
      if (!res.ok || !res.body) throw new Error(`watch ${url}: ${res.status} ${await res.text()}`);
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) this.apply(JSON.parse(line));
          nl = buf.indexOf("\n");
        }
      }
    } catch (e) {
      if (!this.abort.signal.aborted) this.error = e;
    }
  }

  private apply(ev: WatchEvent): void {
    this.events.push(ev);
    const rv = Number(ev.object?.metadata?.resourceVersion ?? 0);
    if (ev.type === "ERROR") {
      this.error = new Error(`watch error: ${JSON.stringify(ev.object)}`);
      return;
    }
    if (ev.type !== "BOOKMARK") {
      const name = ev.object.metadata.name;
      if (ev.type === "DELETED") this.state.delete(name);
      else this.state.set(name, ev.object.metadata.resourceVersion);
      if (rv <= this.lastRv) this.error ??= new Error(`revision went backwards: ${rv} after ${this.lastRv}`);
    }
    if (rv > this.lastRv) this.lastRv = rv;
  }

  stop(): void {
    this.abort.abort();
  }
}
