/**
 * Turns many concurrent single calls into few batch calls. Calls made in one turn of the
 * event loop, or while the previous batch is in flight, go out together as one batch; so
 * under load the batch size follows the load, and a lone call waits one turn at most.
 * Used where each call would be a database round trip of its own (host slots, once per
 * fetch: a 304 poll cost two statements besides its fetch).
 */

export interface CoalesceOptions {
  /** Largest batch; more calls wait for the next one. */
  maxBatch?: number;
}

interface Call<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * `runBatch` gets the inputs in call order and must answer one output per input, in the same
 * order. A batch that fails rejects each of its calls with that error.
 */
export function coalesceCalls<In, Out>(runBatch: (inputs: In[]) => Promise<Out[]>, options: CoalesceOptions = {}): (input: In) => Promise<Out> {
  const maxBatch = options.maxBatch ?? 256;
  const waiting: Array<Call<In, Out>> = [];
  let inFlight = false;
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    if (inFlight || waiting.length === 0) return;
    const batch = waiting.splice(0, maxBatch);
    inFlight = true;
    const settle = (answer: (call: Call<In, Out>, index: number) => void) => {
      inFlight = false;
      batch.forEach(answer);
      flush();
    };
    // Through a promise, so a runBatch that throws synchronously rejects its calls too.
    Promise.resolve(batch.map((call) => call.input))
      .then(runBatch)
      .then(
        (outputs) => {
          if (outputs.length !== batch.length) settle((call) => call.reject(new Error(`a batch of ${batch.length} calls answered ${outputs.length}`)));
          else settle((call, i) => call.resolve(outputs[i]!));
        },
        (error: unknown) => settle((call) => call.reject(error)),
      );
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      if (!inFlight && !scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
