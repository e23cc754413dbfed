import type { TaskStatus } from '@taskyard/contracts';

/** The few gateway calls the benchmark makes, over plain HTTP as any client would. */
export class TaskClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async submit(type: string, params: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${this.baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type, params }),
    });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async status(id: string): Promise<TaskStatus> {
    const res = await fetch(`${this.baseUrl}/v1/tasks/${id}`, { headers: { authorization: `Bearer ${this.key}` } });
    return ((await res.json()) as { status: TaskStatus }).status;
  }
}
