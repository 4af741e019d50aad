// Stage 1 of the loan pipeline: adds a credit score to the application.
import { jsonNum, jsonNumber } from "loom";

export function score(input: string): string {
  const income = jsonNumber(input, "income");
  const debt = jsonNumber(input, "debt");
  const history = jsonNumber(input, "creditHistoryYears");
  let s = 500.0 + Math.min(history * 15, 200) + Math.min(income / 1000, 150) - Math.min(debt / 500, 200);
  s = Math.max(300, Math.min(850, Math.round(s)));
  return input.substring(0, input.lastIndexOf("}")) + ',"creditScore":' + jsonNum(s) + "}";
}
