// Stage 2 of the loan pipeline: classifies the risk from the credit score and the loan size.
import { jsonNumber, jsonQuote } from "loom";

export function analyze(input: string): string {
  const score = jsonNumber(input, "creditScore");
  const ratio = jsonNumber(input, "amount") / Math.max(jsonNumber(input, "income"), 1);
  let risk = "high";
  if (score >= 720 && ratio < 4) risk = "low";
  else if (score >= 620 && ratio < 6) risk = "medium";
  return input.substring(0, input.lastIndexOf("}")) + ',"risk":' + jsonQuote(risk) + "}";
}
