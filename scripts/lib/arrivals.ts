/** A linear ramp of arrival rates (requests per second) over a duration. */
export interface RampOptions {
  fromRate: number;
  toRate: number;
  durationS: number;
  /** Hard cap on the number of arrivals, whatever the ramp says. */
  maxRequests: number;
}

/**
 * Arrival offsets in ms from the start for an open-model ramp: the rate grows linearly from
 * `fromRate` to `toRate`, so the k-th request is sent when the expected count reaches k
 * (solving r0·t + (r1−r0)·t²/(2D) = k). Requests are scheduled by time, never by responses.
 */
export function rampArrivals(options: RampOptions): number[] {
  const { fromRate: r0, toRate: r1, durationS: d } = options;
  if (!(r0 >= 0 && r1 >= 0 && d > 0) || r0 + r1 === 0) return [];
  const total = Math.min(options.maxRequests, Math.floor((d * (r0 + r1)) / 2 + 1e-9));
  const a = (r1 - r0) / (2 * d);
  const offsets: number[] = [];
  for (let k = 0; k < total; k += 1) {
    const t = Math.abs(a) < 1e-12 ? k / r0 : (-r0 + Math.sqrt(r0 * r0 + 4 * a * k)) / (2 * a);
    offsets.push(Math.round(t * 1000));
  }
  return offsets;
}
