// Stage 3 of the loan pipeline: turns the risk into a decision and a rate.
import { jsonNum, jsonNumber, jsonString } from "loom";

export function rate(input: string): string {
  const risk = jsonString(input, "risk");
  const score = jsonNumber(input, "creditScore");
  if (risk == "high") return '{"approved":false,"creditScore":' + jsonNum(score) + ',"risk":"high"}';
  const base = risk == "low" ? 5.5 : 7.25;
  return '{"approved":true,"creditScore":' + jsonNum(score) + ',"risk":"' + risk + '","rate":' + jsonNum(base) + "}";
}
