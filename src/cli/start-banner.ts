/**
 * What `npm start` prints once GeNIO is up: plain lines a newcomer can act on at once (where it
 * runs, the demo key, a curl to paste), without reading the README first.
 */
import { DEMO_CITIZENS, DEMO_MESSAGE, DEMO_RECIPIENT, DEMO_ROLES, DEMO_SERVICE_CODE, type DemoState } from '../admin/demo.ts';
import type { WebConfig } from '../config.ts';
import { citizenName } from '../local-idp/citizens.ts';

export interface BannerInput {
  url: string;
  dataDir: string;
  keyFile: string;
  database: string;
  /** Where non-sandbox messages go; equal to simulatorUrl unless GENIO_IO_BASE_URL is set. */
  ioBaseUrl: string;
  simulatorUrl: string;
  demo: DemoState;
  web: WebConfig;
}

const ROLE_WORDS = { viewer: 'viewer: reads', sender: 'sender: also sends', manager: 'manager: also API keys and templates', admin: 'admin' } as const;

function webLines(web: WebConfig): string[] {
  const lines = ['', `Web UI for the enti's operators: ${web.publicUrl}/`];
  if (web.localIdp) {
    lines.push(
      '  Log in with the built-in TEST identity provider (never for production), as one of:',
      ...DEMO_ROLES.map(({ citizen, role }) => `    ${citizenName(citizen).padEnd(16)} ${role ? ROLE_WORDS[role] : 'no role: sees whom to ask for access'}`),
      '  Give roles with: npm run genio -- admin grant --fiscal-code <code> --ente <11 digits> --role viewer|sender|manager',
    );
  } else if (web.oidc) {
    lines.push(`  Login through ${web.oidc.issuer}`);
  } else {
    lines.push('  Login is not configured: set GENIO_OIDC_ISSUER, GENIO_OIDC_CLIENT_ID, GENIO_OIDC_CLIENT_SECRET (or GENIO_LOCAL_IDP=on to try it)');
  }
  return lines;
}

/** POSIX shell single quotes: safe for any text, including quotes inside it. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function startBanner(b: BannerInput): string[] {
  const usesSimulator = b.ioBaseUrl === b.simulatorUrl;
  const lines = [
    '',
    `GeNIO is running at ${b.url}`,
    '',
    `  URL:           ${b.url}`,
    `  API docs:      ${b.url}/docs`,
    `  Data:          ${b.dataDir} (${b.database})`,
    `  IO:            ${usesSimulator ? `built-in IO simulator at ${b.simulatorUrl} (nothing reaches the real IO)` : `${b.ioBaseUrl} (GENIO_IO_BASE_URL); sandbox keys use the simulator at ${b.simulatorUrl}`}`,
  ];
  const key = b.demo.apiKey;
  if (key) {
    lines.push(`  Demo API key:  ${key}`, `                 (saved in ${b.keyFile}${b.demo.created ? ', created now' : ''})`);
  } else {
    lines.push(`  Demo API key:  none: ${b.demo.note}`, '                 create a key with: npm run genio -- admin create-api-key --ente <fiscal code>');
  }
  const auth = shellQuote(`Authorization: Bearer ${key ?? '<your API key>'}`);
  lines.push(
    '',
    'Send a message:',
    '',
    `  curl -s -X POST ${b.url}/api/v1/messages -H ${auth} -H 'Content-Type: application/json' -d ${shellQuote(JSON.stringify(DEMO_MESSAGE))}`,
    '',
    'Read it back (put the "id" of the answer in place of <id>):',
    '',
    `  curl -s ${b.url}/api/v1/messages/<id> -H ${auth}`,
    '',
    'Send a whole file (CSV or XLSX: codice_fiscale;oggetto;testo, one row a message):',
    '',
    `  npm run genio -- send --service ${DEMO_SERVICE_CODE} --file <file.csv>`,
    ...webLines(b.web),
    '',
    `Demo citizens in the IO simulator${usesSimulator ? '' : ' (for sandbox keys)'}:`,
    `  ${DEMO_RECIPIENT}  on IO: the message is delivered (so is any other valid code)`,
    ...DEMO_CITIZENS.map((c) => `  ${c.fiscalCode}  ${c.outcome}`),
    '',
    'Stop with Ctrl+C.',
    '',
  );
  return lines;
}
