/**
 * A function-free guest value still as the JSON text the guest produced. A session on a worker
 * thread hands its eval results over in this form, so a result is parsed once, on the thread that
 * sends it on, instead of also being parsed, walked and serialised again on the worker.
 */
export class JsonText {
  constructor(readonly json: string) {}
}
