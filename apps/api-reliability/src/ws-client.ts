import WebSocket from 'ws';

/** A WebSocket client that records frames and its close code. */
export class Client {
  readonly frames: { event: string; data: any }[] = [];
  closeCode: number | null = null;
  readonly ws: WebSocket;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (raw) => this.frames.push(JSON.parse(raw.toString())));
    this.ws.on('close', (code) => (this.closeCode = code));
    this.ws.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(event: string, data: unknown): void {
    this.ws.send(JSON.stringify({ event, data }));
  }

  of(event: string): any[] {
    return this.frames.filter((frame) => frame.event === event).map((frame) => frame.data);
  }

  async until(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
