/** The text of `genio help`: every command and option, in one screen. */
export const USAGE = `Usage: genio <command> [options]      (npm run genio -- <command> …)

Running GeNIO
  start                 development start (what npm start runs): data in ./data (GENIO_DATA_DIR),
                        a master key in ./data/master.key, the IO simulator in-process, a demo
                        ente, service and API key; prints the URL, the key and curl examples
  serve [--role all|api|worker]
                        production start: configuration from GENIO_* variables only;
                        GENIO_MASTER_KEY is required; --role api serves the API and web UI
                        without workers, --role worker only delivers (health and metrics still served)
  migrate               apply database migrations (GENIO_DATABASE_URL, default ./data/genio.sqlite)
  io-sim                run the IO simulator alone, for another process to use
      [--port 3001] [--host 127.0.0.1] [--limit 150/5s|off] [--delay 1000]
      [--auto-provision]   unknown keys become sandbox services instead of 401

Administration (database from GENIO_DATABASE_URL, migrated first)
  admin create-ente --fiscal-code <11 digits> --name <name> [--mode aggregator|partner]
  admin create-service --ente <fiscal code> --code <code> --name <name>
      --io-service-id <id> --primary-key <key> --secondary-key <key>
      [--io-account <name>] [--max-payment-amount <cents>] [--no-profile-check]
                        IO keys are stored encrypted with GENIO_MASTER_KEY (required) and never shown;
                        io account default: aggregator, or ente-<fiscal code> for partner enti
  admin create-api-key --ente <fiscal code> [--services code,code] [--callback-url <url>] [--sandbox]
                        prints the key alone on the last line: it is shown only this once
  admin list-enti
  admin list-services [--ente <fiscal code>]
  admin list-api-keys [--ente <fiscal code>]
  admin revoke-api-key <id or prefix>
  admin grant --fiscal-code <person> --role viewer|sender|manager --ente <fiscal code> [--name <name>]
  admin grant --fiscal-code <person> --role admin [--name <name>]
                        who may use the web UI: a role per ente (granting again replaces it),
                        or admin of the whole aggregator
  admin revoke --fiscal-code <person> --ente <fiscal code> | --admin
  admin list-users [--ente <fiscal code>]

Acting as an ente, through the API (GENIO_URL default http://localhost:3000; GENIO_API_KEY,
default the demo key npm start wrote in ./data)
  send --service <code> --file <csv|xlsx> [--template <id>] [--check-only] [--schedule <when>]
      [--send-valid-only] [--allow-duplicate] [--no-wait] [--url <url>] [--api-key <key>]
                        uploads the file as a batch, shows the check (every error with row and
                        column), then follows the sending with a progress bar; exit 1 if not sent
  batch status|errors|confirm|cancel <batch id> [--send-valid-only] [--schedule <when>]
  template list | show <id> [--version N] | create --file <definition.json>
      | update <id> --file <definition.json> | delete <id> | sample <id>
                        a definition is the API's body: {service, name, subject, markdown, placeholders}

  help                  this text
`;
