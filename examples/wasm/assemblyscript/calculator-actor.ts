// A calculator actor in AssemblyScript. Every exported `function (input: string): string`
// is a method: JSON in, JSON out. Build: npm run build:wasm
import { fail, getState, jsonField, jsonNum, jsonNumber, log, setState } from "loom";

export function add(input: string): string {
  return '{"result":' + jsonNum(jsonNumber(input, "a") + jsonNumber(input, "b")) + "}";
}

export function multiply(input: string): string {
  return '{"result":' + jsonNum(jsonNumber(input, "a") * jsonNumber(input, "b")) + "}";
}

export function divide(input: string): string {
  const b = jsonNumber(input, "b");
  if (b == 0) {
    fail("division by zero");
    return "";
  }
  return '{"result":' + jsonNum(jsonNumber(input, "a") / b) + "}";
}

// Keeps a running total in the actor's durable state.
export function accumulate(input: string): string {
  const state = getState();
  let total = jsonField(state, "total").length > 0 ? jsonNumber(state, "total") : 0;
  total += jsonNumber(input, "value");
  setState('{"total":' + jsonNum(total) + "}");
  log("total is now " + jsonNum(total));
  return '{"total":' + jsonNum(total) + "}";
}
