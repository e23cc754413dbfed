import { HostAllowList, type OutboundRules } from './host-allow-list';

/** The two lists as stored by an admin (entries as HostAllowList reads them). */
export interface StoredHostLists {
  allowed: string[];
  privateHosts: string[];
}

export interface LiveRulesOptions {
  /** The rules while no admin has set any (the environment's). */
  defaults: OutboundRules;
  /** Reads the stored lists (null: none stored, the defaults apply). */
  read(): Promise<StoredHostLists | null>;
  refreshMs: number;
  /** Longer than this without a successful read: no rules (callers refuse), never a list that may be out of date. */
  maxStaleMs: number;
  /** Told of a failed read or a stored list that does not parse (the last good rules are kept meanwhile). */
  onProblem?(message: string): void;
  now?: () => number;
}

/** Builds the rules from stored lists, naming the settings as the environment's do (a refusal names the setting). */
export function rulesFromLists(lists: StoredHostLists, defaults: OutboundRules): OutboundRules {
  return {
    allowed: new HostAllowList(defaults.allowed.variable, lists.allowed.join(',')),
    privateHosts: new HostAllowList(defaults.privateHosts.variable, lists.privateHosts.join(',')),
  };
}

/**
 * Outbound rules an admin can change while everything runs: re-read every `refreshMs` (and on `refresh()`),
 * so every process applies a change within `refreshMs` plus one read. `current()` answers synchronously from
 * the last read; after `maxStaleMs` without one it answers undefined, so a removed host is not requested for
 * long just because the setting could not be read.
 */
export class LiveOutboundRules {
  private rules?: OutboundRules;
  private readAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(private readonly opts: LiveRulesOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** The first read (awaited), then one every `refreshMs` in the background (not keeping the process alive). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  /** Reads the stored lists now (reads already under way are joined). */
  refresh(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    try {
      const stored = await this.opts.read();
      this.rules = stored ? rulesFromLists(stored, this.opts.defaults) : this.opts.defaults;
      this.readAt = this.now();
    } catch (err) {
      this.opts.onProblem?.(`allowed hosts not read: ${(err as Error).message}`);
    }
  }

  /** The rules in force, or undefined when they could not be read for `maxStaleMs`. */
  current(): OutboundRules | undefined {
    return this.now() - this.readAt <= this.opts.maxStaleMs ? this.rules : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
