/** A `POST /sessions` body as the seed's speakers submit it. */
export interface SessionBody {
  subject: string;
  duration: number;
  timestamp: string;
  speaker: {
    firstName: string;
    lastName: string;
    company: { companyName: string; companyCity: string };
    questionPhrase: string;
  };
}

// A small CSV of speakers and subjects, varied like the seed's load-test data.
const SPEAKERS_CSV = `firstName,lastName,companyName,companyCity
Ada,Lovelace,Analytical Engines,London
Grace,Hopper,Compiler Works,Arlington
Margaret,Hamilton,Flight Software,Cambridge
Linus,Torvalds,Kernel Collective,Portland
Barbara,Liskov,Substitution Labs,Boston
Ken,Thompson,Bell Systems,Murray Hill
Radia,Perlman,Spanning Trees,Seattle
Donald,Knuth,Literate Press,Stanford
Frances,Allen,Optimizing Co,Peru
Tim,Berners-Lee,Hypertext Ltd,Geneva`;

const SUBJECTS = [
  'Serverless observability with structured logs',
  'Tracing a request across SQS and DynamoDB Streams',
  'Lead time as a service-level indicator',
  'Cost per invocation: reading the REPORT line',
  'Idempotent consumers for at-least-once delivery',
  'Partial batch failures in Lambda event sources',
  'From alarms to answers in Slack',
  'Load testing an asynchronous pipeline',
  'Field indexes and the price of a Logs Insights query',
  'Cold starts, init billing and arm64',
  'Fault injection without a chaos platform',
];

function parseCsv(csv: string): Record<string, string>[] {
  const [header, ...rows] = csv.trim().split('\n');
  const keys = (header ?? '').split(',');
  return rows.map((row) => {
    const cells = row.split(',');
    return Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? '']));
  });
}

const SPEAKERS = parseCsv(SPEAKERS_CSV);

/** The i-th sample session: speakers and subjects cycle at different periods so pairs vary. */
export function sampleSession(i: number, now: number = Date.now()): SessionBody {
  const s = SPEAKERS[i % SPEAKERS.length] ?? {};
  const subject = SUBJECTS[i % SUBJECTS.length] ?? 'Untitled';
  return {
    subject,
    duration: 15 + (i % 4) * 15,
    timestamp: String(now),
    speaker: {
      firstName: s.firstName ?? 'Sam',
      lastName: s.lastName ?? 'Speaker',
      company: { companyName: s.companyName ?? 'Example', companyCity: s.companyCity ?? 'Nowhere' },
      questionPhrase: `What would you ask ${s.firstName ?? 'them'} about "${subject}"?`,
    },
  };
}
