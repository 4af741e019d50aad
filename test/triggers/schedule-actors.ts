// The actor the schedule tests fire: it records every tick it is given, so a tick that ran twice shows twice.
import { Actor } from '../../src/index.js';

export class Reporter extends Actor<{ ticks: string[] }> {
  static initialState = { ticks: [] as string[] };

  async run(info: { scheduleId: string; tick: string }) {
    this.state.ticks.push(info.tick);
    return info.tick;
  }
}
