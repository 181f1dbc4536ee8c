# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mutt_global_optspecs
    string join \n s/set= redis-url= database-url= key-prefix= log-level= o/output= h/help V/version
end

function __fish_mutt_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mutt_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mutt_using_subcommand
    set -l cmd (__fish_mutt_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mutt -n "__fish_mutt_needs_command" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_needs_command" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_needs_command" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_needs_command" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_needs_command" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_needs_command" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_needs_command" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "alert" -d 'The alerter: rules, audit log, alerts'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "forward" -d 'The Moog forwarder'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "ingest" -d 'The ingest API'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "e2e" -d 'Check a running stack end to end (ingest → alert → audit → forward → Moog sink); exit 1 on any failure'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "load" -d 'Drive an ingest endpoint with realistic events and report throughput and latency (loopback only)'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "mock-moog" -d 'Run a Moogsoft webhook sink that records requests and plays scripted faults (tests, dry runs)'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "migrate" -d 'Apply the embedded database migrations and create monthly audit partitions'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "config" -d 'Settings and dynamic configuration: show, list, get, set, delete, watch'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "rules" -d 'Alert rules: list, show, add, update, delete, import, export, test'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "hosts" -d 'Development hosts (events from them use a rule\'s dev_handling)'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "teams" -d 'Device → team assignments'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "silences" -d 'Silences (maintenance windows): list, show, add, expire, import, export'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "audit" -d 'Query the event audit log and the configuration audit log'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "remediate" -d 'Dead-letter replay'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "partitions" -d 'Monthly partitions of event_audit_log: ensure, list, drop'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "retention" -d 'Retention: archive, purge and age out expired audit rows and dead letters'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "dlq" -d 'Dead-letter lists: list, stats, replay, purge (filtered by reason, age, host)'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "status" -d 'The whole system on one screen: daemons, queues, DLQs, breaker, rules, partitions; exit 1 when unhealthy'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "up" -d 'Run the whole pipeline in one process (private Redis and PostgreSQL, example rules, mock Moog sink) for a laptop or a demo'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "syslog" -d 'The syslog receiver: UDP, TCP, TLS and RELP straight from devices and rsyslog'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "web" -d 'The web UI and REST API'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "trap-handler" -d 'snmptrapd\'s traphandle program: read one trap on stdin, post it to the ingest API (exit 1 if it could not be delivered)'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from help" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l port -d 'Port to listen on; same as the service\'s port setting (SERVER_PORT_INGESTOR, SERVER_PORT_WEBUI)' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l bind -d 'Address to bind; same as MUTT_BIND_ADDRESS' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l ingest-url -d 'Ingest endpoint of the running stack' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l ca-cert -d 'PEM CA bundle that verifies an https:// ingest URL [default: system roots]' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l api-key -d 'Ingest API key (X-API-KEY)' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l sink-url -d 'Base URL of the `mutt mock-moog` sink the forwarder posts to' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l timeout -d 'Seconds to wait for the events to get through' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l rule-settle -d 'Seconds given to the alerters to pick up the new rules' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand load" -l url -d 'Ingest URL, e.g. http://127.0.0.1:8080/api/v2/ingest' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l api-key -d 'Value of the X-API-KEY header (or env MUTT_LOAD_API_KEY)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l rate -d 'Open loop: target requests per second (spread over the connections); without it, closed loop' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l concurrency -d 'Connections (closed loop: each sends its next request when the previous answered)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l duration -d 'Stop after this long (e.g. 10s, 2m, 1m30s, or plain seconds); default 10s unless --count is given' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l count -d 'Stop after this many requests' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l batch -d 'Events per request; >1 sends NDJSON bodies (Content-Type: application/x-ndjson)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l timeout -d 'Per-request timeout' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand load" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand load" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l port -d 'Port to listen on (0 picks a free one) [default: PORT, else 18083]' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l bind -d 'Address to bind' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l path -d 'Path that receives events (POST)' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l statuses -d 'Statuses answered to successive event requests, then 200 (e.g. 500,500,200)' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l retry-after -d 'Send `Retry-After: SECONDS` with 429 and 503 answers' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l latency-ms -d 'Delay added to every event request' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l hang-seconds -d 'How long --hang holds a request' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l require-auth -d 'Answer 401 to event requests lacking `Authorization: Bearer TOKEN`' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l max-records -d 'Records kept for GET /requests (oldest dropped; 0 keeps none); counters are not capped' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l workers -d 'Requests handled at once (a delayed or hung request holds one while it waits)' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l ready-file -d 'Write the bound address here once listening (JSON, as the daemons\' MUTT_READY_FILE)' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l repeat -d 'Cycle through --statuses forever instead of answering 200 after them'
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l hang -d 'Hold event requests unanswered (for --hang-seconds, then 504) to exercise client timeouts'
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l partitions-ahead -d 'Months after the current one to create event_audit_log partitions for' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l status -d 'List applied and pending migrations; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l dry-run -d 'Print the SQL that would run; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "list" -d 'List dynamic configuration keys: live value, default, where the value comes from'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "get" -d 'Show one dynamic configuration key'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "set" -d 'Set a dynamic configuration key (validated; audited; every daemon is told)'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "delete" -d 'Remove a dynamic configuration key from Redis, so its default applies again'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "watch" -d 'Print configuration changes as they are announced (one line each) until Ctrl-C'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show list get set delete watch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l group -d 'Only settings of this group (general, redis, postgres, ports, queues, secrets)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -l force -d 'Write a key the registry does not know (any scalar value)'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -l count -d 'Stop after this many changes' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'List dynamic configuration keys: live value, default, where the value comes from'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Show one dynamic configuration key'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a dynamic configuration key (validated; audited; every daemon is told)'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Remove a dynamic configuration key from Redis, so its default applies again'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "watch" -d 'Print configuration changes as they are announced (one line each) until Ctrl-C'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "list" -d 'List rules in the order the engine tries them (priority, then id)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "show" -d 'Show one rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "add" -d 'Create a rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "update" -d 'Change fields of a rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "delete" -d 'Delete a rule (refused while audited events reference it: deactivate it instead)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "import" -d 'Create rules from a YAML or JSON file (`-` for stdin); rules identical to existing ones are skipped, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "export" -d 'Write every rule as YAML (JSON with `--output json`), ready for `import`'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "test" -d 'Explain how the live rules decide an event, or each event of a file'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and not __fish_seen_subcommand_from list show add update delete import export test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l active -d 'Only active rules'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -l inactive -d 'Only inactive rules'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l match-string -d 'Text (contains) or pattern (regex) to look for in the message' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l match-type -d 'contains, regex or oid_prefix' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l trap-oid -d 'Trap OID (prefix) the event must carry' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l severity -d 'Severity the event must have: 0–7 or a syslog name (err, warning, …)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l priority -d 'Lower wins (default 100)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l prod-handling -d 'Handling for production hosts' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l dev-handling -d 'Handling for development hosts' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l team -d 'Team of the alert' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l active -d 'Whether the rule is used (true/false)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l match-string -d 'Text (contains) or pattern (regex) to look for in the message' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l match-type -d 'contains, regex or oid_prefix' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l trap-oid -d 'Trap OID (prefix) the event must carry' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l severity -d 'Severity the event must have: 0–7 or a syslog name (err, warning, …)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l priority -d 'Lower wins (default 100)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l prod-handling -d 'Handling for production hosts' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l dev-handling -d 'Handling for development hosts' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l team -d 'Team of the alert' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l active -d 'Whether the rule is used (true/false)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l clear -d 'Clear a field: match_string, trap_oid or syslog_severity (repeatable)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -l reason -d 'Why (kept in the audit rows)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -l file -d 'Write here instead of stdout' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l hostname -d 'The sending device' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l message -d 'The message text' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l trap-oid -d 'The trap OID' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l severity -d '0–7 or a syslog name' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l event -d 'A whole event as a JSON object' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l file -d 'Events as JSON (an array, one object per line, or concatenated objects); `-` for stdin' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l at -d 'Decide as of this time (RFC 3339) instead of now: which silence would hold the event then (e.g. inside next Sunday\'s maintenance window)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List rules in the order the engine tries them (priority, then id)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change fields of a rule'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a rule (refused while audited events reference it: deactivate it instead)'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "import" -d 'Create rules from a YAML or JSON file (`-` for stdin); rules identical to existing ones are skipped, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write every rule as YAML (JSON with `--output json`), ready for `import`'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "test" -d 'Explain how the live rules decide an event, or each event of a file'
complete -c mutt -n "__fish_mutt_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -f -a "list" -d 'List development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -f -a "add" -d 'Add development hosts (names are stored trimmed and lower-case)'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -f -a "delete" -d 'Remove development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and not __fish_seen_subcommand_from list add delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from help" -f -a "list" -d 'List development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add development hosts (names are stored trimmed and lower-case)'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Remove development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand hosts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -f -a "list" -d 'List device → team assignments'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -f -a "set" -d 'Assign a device to a team (creates or changes the mapping)'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -f -a "delete" -d 'Remove the team assignments of devices'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and not __fish_seen_subcommand_from list set delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from help" -f -a "list" -d 'List device → team assignments'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from help" -f -a "set" -d 'Assign a device to a team (creates or changes the mapping)'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Remove the team assignments of devices'
complete -c mutt -n "__fish_mutt_using_subcommand teams; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "list" -d 'List the silences that have not ended (pending, active, waiting for their window)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "show" -d 'Show one silence'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "add" -d 'Hold back events that match every matcher given, from now (or --starts) until --ends or for --duration'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "expire" -d 'End a silence now (a pending one never starts)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "import" -d 'Create silences from a JSON or YAML file (`-` for stdin) as `export` writes it; ended ones are skipped and identical ones left alone, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "export" -d 'Write the silences that have not ended as YAML (JSON with `--output json`)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and not __fish_seen_subcommand_from list show add expire import export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -l expired -d 'Include the ended ones'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l host -d 'Host name, exactly (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l host-glob -d 'Host names by shell glob, e.g. \'core-sw-*\'' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l host-regex -d 'Host names by regular expression (unanchored)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l rule -d 'The rule that matched the event' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l team -d 'The team the event goes to (the rule\'s, or the device\'s when unhandled)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l contains -d 'Text the message contains (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l starts -d 'Start, RFC 3339 (default: now)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l ends -d 'End, RFC 3339' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l duration -d 'How long from the start: 2h, 90m, 1d' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l every -d 'A recurring window \'DAYS HH:MM-HH:MM\' (e.g. \'sun 02:00-04:00\', \'mon-fri 22:00-06:00\'); repeat for several. The silence then holds only inside them until --ends' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l time-zone -d 'The zone of --every\'s times (IANA name)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l comment -d 'Why (required; shown wherever the silence is)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -l reason -d 'Why (kept in the audit row)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from expire" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -l file -d 'Write here instead of stdout' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the silences that have not ended (pending, active, waiting for their window)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one silence'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "add" -d 'Hold back events that match every matcher given, from now (or --starts) until --ends or for --duration'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "expire" -d 'End a silence now (a pending one never starts)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "import" -d 'Create silences from a JSON or YAML file (`-` for stdin) as `export` writes it; ended ones are skipped and identical ones left alone, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the silences that have not ended as YAML (JSON with `--output json`)'
complete -c mutt -n "__fish_mutt_using_subcommand silences; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -f -a "events" -d 'Search audited events, newest first'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -f -a "config" -d 'Show configuration changes (rules, hosts, teams, dynamic config), newest first'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and not __fish_seen_subcommand_from events config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l host -d 'Only this host (exact name)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l rule-id -d 'Only events matched by this rule' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l since -d 'From this time (RFC 3339, `YYYY-MM-DD HH:MM:SS` UTC, or a date)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l until -d 'Up to this time (a date means its end)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l limit -d 'Rows per page (1–200)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l cursor -d 'Continue after the last row of a previous page (its `next_cursor`)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from events" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l changed-by -d 'Who made the change (substring, case-insensitive), e.g. `cli:` or `webui_api:ops`' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l operation -d 'CREATE, UPDATE or DELETE' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l table -d 'alert_rules, development_hosts, device_teams or dynamic_config' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l record-id -d 'Record id (rule id)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l record-key -d 'Record key (host name or config key)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l since -d 'From this time' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l until -d 'Up to this time' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l page -d 'Page number (1-based)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l limit -d 'Rows per page (1–200)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from config" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "events" -d 'Search audited events, newest first'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "config" -d 'Show configuration changes (rules, hosts, teams, dynamic config), newest first'
complete -c mutt -n "__fish_mutt_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from help" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -f -a "ensure" -d 'Create the missing partitions of the current month and N months after it (UTC calendar months); rows of those months waiting in DEFAULT move into them. Exit 3 if some month could not be created'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -f -a "list" -d 'List partitions (range, rows, size) and the rows waiting in DEFAULT per month'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -f -a "drop" -d 'Retire partitions whose whole range ends at least N calendar months before now: archive (move rows to event_audit_log_archive, then drop), detach, or drop. Exit 3 if some failed'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and not __fish_seen_subcommand_from ensure list drop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l ahead -d 'Months after the current one [default: PARTITIONS_AHEAD, 3]' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -l dry-run -d 'Show what would be created and moved; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from ensure" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l older-than -d 'Months: a partition goes only when its upper bound ≤ now − N months' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l mode -d 'What to do with each retired partition' -r -f -a "archive\t'Move every row into event_audit_log_archive, then drop the emptied partition'
detach\t'Detach the partition and leave it as a plain table (for dumping elsewhere)'
drop\t'Detach and drop: the rows are gone'"
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -l dry-run -d 'List what would be retired; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from drop" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from help" -f -a "ensure" -d 'Create the missing partitions of the current month and N months after it (UTC calendar months); rows of those months waiting in DEFAULT move into them. Exit 3 if some month could not be created'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from help" -f -a "list" -d 'List partitions (range, rows, size) and the rows waiting in DEFAULT per month'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from help" -f -a "drop" -d 'Retire partitions whose whole range ends at least N calendar months before now: archive (move rows to event_audit_log_archive, then drop), detach, or drop. Exit 3 if some failed'
complete -c mutt -n "__fish_mutt_using_subcommand partitions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Apply the policies once: archive event audit rows past the hot period, delete archive rows, config audit rows and dead letters past theirs. Exit 3 if some target failed'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l dry-run -d 'Report what would be removed per target; change nothing (PostgreSQL or Redis)'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -l force -d 'Apply periods below the safe minimums (event audit 30 days, archive 1 year, config audit 365 days, DLQ 7 days)'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "run" -d 'Apply the policies once: archive event audit rows past the hot period, delete archive rows, config audit rows and dead letters past theirs. Exit 3 if some target failed'
complete -c mutt -n "__fish_mutt_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -f -a "list" -d 'List entries of a DLQ, oldest first (index = position in the Redis list, 0 = newest)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -f -a "stats" -d 'Count entries per DLQ and per failure reason, with the oldest age'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -f -a "replay" -d 'Move entries back to their queue (alerter → ingest queue, moog → alert queue), each atomically'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -f -a "purge" -d 'Delete entries for good (asks for confirmation on a terminal)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and not __fish_seen_subcommand_from list stats replay purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l reason -d 'Only entries whose failure reason contains TEXT (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l older-than -d 'Only entries that failed at least this long ago (90s, 15m, 2h, 7d, 1w, 1d12h; plain number = seconds)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l newer-than -d 'Only entries that failed less than this long ago' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l host -d 'Only entries of this host name (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l limit -d 'At most N entries, the oldest matching first' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l reason -d 'Only entries whose failure reason contains TEXT (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l older-than -d 'Only entries that failed at least this long ago (90s, 15m, 2h, 7d, 1w, 1d12h; plain number = seconds)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l newer-than -d 'Only entries that failed less than this long ago' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l host -d 'Only entries of this host name (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l limit -d 'At most N entries, the oldest matching first' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l to -d 'Target queue; required for the dead list (its entries may be events or alerts)' -r -f -a "alerter\t'The ingest queue (events, processed again by the alerter)'
moog\t'The alert queue (alerts, delivered again by the forwarder)'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l dry-run -d 'Report what would move without changing anything'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l reason -d 'Only entries whose failure reason contains TEXT (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l older-than -d 'Only entries that failed at least this long ago (90s, 15m, 2h, 7d, 1w, 1d12h; plain number = seconds)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l newer-than -d 'Only entries that failed less than this long ago' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l host -d 'Only entries of this host name (case-insensitive)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l limit -d 'At most N entries, the oldest matching first' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s y -l yes -d 'Do not ask (required when stdin is not a terminal)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l dry-run -d 'Report what would be deleted without changing anything'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "list" -d 'List entries of a DLQ, oldest first (index = position in the Redis list, 0 = newest)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Count entries per DLQ and per failure reason, with the oldest age'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Move entries back to their queue (alerter → ingest queue, moog → alert queue), each atomically'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete entries for good (asks for confirmation on a terminal)'
complete -c mutt -n "__fish_mutt_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand status" -l watch -d 'Refresh every SECS seconds (default 2), clearing the screen, until Ctrl-C' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand status" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand status" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand up" -l data-dir -d 'Keep Redis/PostgreSQL data (and the generated API keys) here across runs (default: a temporary directory removed on exit)' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand up" -l port-offset -d 'Add N to every port the pipeline listens on (ingest, syslog UDP/TCP/RELP, health and metrics, web UI, mock Moog sink), so two stacks can run side by side; `--set NAME=PORT` moves a single one' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l mock-moog-port -d 'Port of the mock Moog sink, run when MOOG_WEBHOOK_URL is not set (0 picks a free one) [default: 18083 + --port-offset]' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand up" -l check -d 'Start the stores, migrate, load the example rules, print, and exit at once instead of running the pipeline (for scripts)'
complete -c mutt -n "__fish_mutt_using_subcommand up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand up" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Receive syslog over UDP, TCP (RFC 6587), TLS (RFC 5425) and RELP into the ingest queue until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l udp -d 'UDP listener address (default MUTT_BIND_ADDRESS:SYSLOG_UDP_PORT)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l tcp -d 'TCP listener address (default MUTT_BIND_ADDRESS:SYSLOG_TCP_PORT)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l tls -d 'TLS listener address (default MUTT_BIND_ADDRESS:SYSLOG_TLS_PORT; needs SYSLOG_TLS_CERT_PATH)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l relp -d 'RELP listener address (default MUTT_BIND_ADDRESS:SYSLOG_RELP_PORT)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Receive syslog over UDP, TCP (RFC 6587), TLS (RFC 5425) and RELP into the ingest queue until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand syslog; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l port -d 'Port to listen on; same as the service\'s port setting (SERVER_PORT_INGESTOR, SERVER_PORT_WEBUI)' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l bind -d 'Address to bind; same as MUTT_BIND_ADDRESS' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l url -d 'Ingest URL to post to; same as TRAP_HANDLER_INGEST_URL (default http://127.0.0.1:<SERVER_PORT_INGESTOR>/api/v2/ingest)' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -l print -d 'Print the event as JSON on stdout instead of posting it (check a snmptrapd set-up)'
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand trap-handler" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l redis-url -d 'Redis URL (redis://, rediss:// or redis+sentinel://s1:26379,s2:26379/master); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l database-url -d 'PostgreSQL URL (postgres://, several hosts as postgres://a:5432,b:5432/db); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "alert" -d 'The alerter: rules, audit log, alerts'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "forward" -d 'The Moog forwarder'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "ingest" -d 'The ingest API'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "e2e" -d 'Check a running stack end to end (ingest → alert → audit → forward → Moog sink); exit 1 on any failure'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "load" -d 'Drive an ingest endpoint with realistic events and report throughput and latency (loopback only)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "mock-moog" -d 'Run a Moogsoft webhook sink that records requests and plays scripted faults (tests, dry runs)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "migrate" -d 'Apply the embedded database migrations and create monthly audit partitions'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "config" -d 'Settings and dynamic configuration: show, list, get, set, delete, watch'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "rules" -d 'Alert rules: list, show, add, update, delete, import, export, test'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "hosts" -d 'Development hosts (events from them use a rule\'s dev_handling)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "teams" -d 'Device → team assignments'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "silences" -d 'Silences (maintenance windows): list, show, add, expire, import, export'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "audit" -d 'Query the event audit log and the configuration audit log'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "remediate" -d 'Dead-letter replay'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "partitions" -d 'Monthly partitions of event_audit_log: ensure, list, drop'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "retention" -d 'Retention: archive, purge and age out expired audit rows and dead letters'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "dlq" -d 'Dead-letter lists: list, stats, replay, purge (filtered by reason, age, host)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "status" -d 'The whole system on one screen: daemons, queues, DLQs, breaker, rules, partitions; exit 1 when unhealthy'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "up" -d 'Run the whole pipeline in one process (private Redis and PostgreSQL, example rules, mock Moog sink) for a laptop or a demo'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "syslog" -d 'The syslog receiver: UDP, TCP, TLS and RELP straight from devices and rsyslog'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "web" -d 'The web UI and REST API'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "trap-handler" -d 'snmptrapd\'s traphandle program: read one trap on stdin, post it to the ingest API (exit 1 if it could not be delivered)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config rules hosts teams silences audit remediate partitions retention dlq status up syslog web trap-handler completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from forward" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from ingest" -f -a "serve" -d 'Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'List dynamic configuration keys: live value, default, where the value comes from'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Show one dynamic configuration key'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set a dynamic configuration key (validated; audited; every daemon is told)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "delete" -d 'Remove a dynamic configuration key from Redis, so its default applies again'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "watch" -d 'Print configuration changes as they are announced (one line each) until Ctrl-C'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List rules in the order the engine tries them (priority, then id)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "show" -d 'Show one rule'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "add" -d 'Create a rule'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "update" -d 'Change fields of a rule'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "delete" -d 'Delete a rule (refused while audited events reference it: deactivate it instead)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "import" -d 'Create rules from a YAML or JSON file (`-` for stdin); rules identical to existing ones are skipped, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "export" -d 'Write every rule as YAML (JSON with `--output json`), ready for `import`'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "test" -d 'Explain how the live rules decide an event, or each event of a file'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from hosts" -f -a "list" -d 'List development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from hosts" -f -a "add" -d 'Add development hosts (names are stored trimmed and lower-case)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from hosts" -f -a "delete" -d 'Remove development hosts'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from teams" -f -a "list" -d 'List device → team assignments'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from teams" -f -a "set" -d 'Assign a device to a team (creates or changes the mapping)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from teams" -f -a "delete" -d 'Remove the team assignments of devices'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "list" -d 'List the silences that have not ended (pending, active, waiting for their window)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "show" -d 'Show one silence'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "add" -d 'Hold back events that match every matcher given, from now (or --starts) until --ends or for --duration'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "expire" -d 'End a silence now (a pending one never starts)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "import" -d 'Create silences from a JSON or YAML file (`-` for stdin) as `export` writes it; ended ones are skipped and identical ones left alone, so importing twice changes nothing. Exit 3 when some entries were refused'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from silences" -f -a "export" -d 'Write the silences that have not ended as YAML (JSON with `--output json`)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "events" -d 'Search audited events, newest first'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "config" -d 'Show configuration changes (rules, hosts, teams, dynamic config), newest first'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from remediate" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from partitions" -f -a "ensure" -d 'Create the missing partitions of the current month and N months after it (UTC calendar months); rows of those months waiting in DEFAULT move into them. Exit 3 if some month could not be created'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from partitions" -f -a "list" -d 'List partitions (range, rows, size) and the rows waiting in DEFAULT per month'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from partitions" -f -a "drop" -d 'Retire partitions whose whole range ends at least N calendar months before now: archive (move rows to event_audit_log_archive, then drop), detach, or drop. Exit 3 if some failed'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from retention" -f -a "run" -d 'Apply the policies once: archive event audit rows past the hot period, delete archive rows, config audit rows and dead letters past theirs. Exit 3 if some target failed'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "list" -d 'List entries of a DLQ, oldest first (index = position in the Redis list, 0 = newest)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "stats" -d 'Count entries per DLQ and per failure reason, with the oldest age'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "replay" -d 'Move entries back to their queue (alerter → ingest queue, moog → alert queue), each atomically'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "purge" -d 'Delete entries for good (asks for confirmation on a terminal)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from syslog" -f -a "serve" -d 'Receive syslog over UDP, TCP (RFC 6587), TLS (RFC 5425) and RELP into the ingest queue until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from web" -f -a "serve" -d 'Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM'
