// A stand-in for the outside world: webhook receivers at https://hooks.test/…, answering as the
// test says and recording what they were sent. Everything of Vigil's stays real; only outbound
// HTTP to that host is intercepted (the objects run in the test's isolate, so they share fetch).

export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function installReceiver(answer: (url: string, index: number) => number = () => 200) {
  const original = globalThis.fetch;
  const received: Received[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!request.url.startsWith("https://hooks.test/")) return original(input, init);
    const body = await request.text();
    received.push({ url: request.url, headers: Object.fromEntries(request.headers), body });
    return new Response("ok", { status: answer(request.url, received.length - 1) });
  }) as typeof fetch;
  return {
    received,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
