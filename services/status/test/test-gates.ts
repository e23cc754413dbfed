/** Named gates a test's handler waits at until the test opens them; a gate is made by whichever side names it first. */
export class Gates {
  private readonly openers = new Map<string, () => void>();
  private readonly waits = new Map<string, Promise<void>>();

  wait(name: string): Promise<void> {
    let p = this.waits.get(name);
    if (!p) {
      p = new Promise<void>((resolve) => this.openers.set(name, resolve));
      this.waits.set(name, p);
    }
    return p;
  }

  open(name: string): void {
    void this.wait(name);
    this.openers.get(name)!();
  }
}
