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
complete -c mutt -n "__fish_mutt_needs_command" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_needs_command" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_needs_command" -f -a "config" -d 'Inspect configuration'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "remediate" -d 'Dead-letter replay'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "up" -d 'Run the whole pipeline in one process (private Redis and PostgreSQL, example rules, mock Moog sink) for a laptop or a demo'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "web" -d 'The web UI and REST API'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c mutt -n "__fish_mutt_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand alert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from help" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand forward; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and not __fish_seen_subcommand_from serve help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand ingest; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l ingest-url -d 'Ingest endpoint of the running stack' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l api-key -d 'Ingest API key (X-API-KEY)' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l sink-url -d 'Base URL of the `mutt mock-moog` sink the forwarder posts to' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l timeout -d 'Seconds to wait for the events to get through' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l rule-settle -d 'Seconds given to the alerters to pick up the new rules' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand e2e" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_using_subcommand load" -l duration -d 'Stop after this long (e.g. 10s, 2m, or plain seconds); default 10s unless --count is given' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l count -d 'Stop after this many requests' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l batch -d 'Events per request; >1 sends NDJSON bodies (Content-Type: application/x-ndjson)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l timeout -d 'Per-request timeout' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand load" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand mock-moog" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l status -d 'List applied and pending migrations; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -l dry-run -d 'Print the SQL that would run; change nothing'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l group -d 'Only settings of this group (general, redis, postgres, ports, queues, secrets)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and not __fish_seen_subcommand_from run help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from help" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand remediate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand up" -l data-dir -d 'Keep Redis/PostgreSQL data (and the generated API keys) here across runs (default: a temporary directory removed on exit)' -r -F
complete -c mutt -n "__fish_mutt_using_subcommand up" -l port-offset -d 'Add N to every port the pipeline listens on (ingest, health and metrics, web UI, mock Moog sink), so two stacks can run side by side; `--set NAME=PORT` moves a single one' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l mock-moog-port -d 'Port of the mock Moog sink, run when MOOG_WEBHOOK_URL is not set (0 picks a free one) [default: 18083 + --port-offset]' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand up" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand up" -l check -d 'Start the stores, migrate, load the example rules, print, and exit at once instead of running the pipeline (for scripts)'
complete -c mutt -n "__fish_mutt_using_subcommand up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand up" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and not __fish_seen_subcommand_from serve help" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
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
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand web; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s s -l set -d 'Override a setting for this run: NAME=VALUE, NAME as in `mutt config show` (repeatable; secrets are refused here, use NAME or NAME_FILE in the environment)' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l redis-url -d 'Redis URL (redis:// or rediss://); same as REDIS_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l database-url -d 'PostgreSQL URL (postgres://); same as DATABASE_URL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l key-prefix -d 'Prefix of every Redis key; same as MUTT_KEY_PREFIX' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -l log-level -d 'Log level (error, warn, info, debug, trace); same as LOG_LEVEL' -r
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s o -l output -d 'Output format of commands that print data' -r -f -a "table\t'Aligned table for people'
json\t'JSON for scripts'"
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mutt -n "__fish_mutt_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "alert" -d 'The alerter: rules, audit log, alerts'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "forward" -d 'The Moog forwarder'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "ingest" -d 'The ingest API'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "e2e" -d 'Check a running stack end to end (ingest → alert → audit → forward → Moog sink); exit 1 on any failure'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "load" -d 'Drive an ingest endpoint with realistic events and report throughput and latency (loopback only)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "mock-moog" -d 'Run a Moogsoft webhook sink that records requests and plays scripted faults (tests, dry runs)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "migrate" -d 'Apply the embedded database migrations and create monthly audit partitions'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "config" -d 'Inspect configuration'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "remediate" -d 'Dead-letter replay'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "up" -d 'Run the whole pipeline in one process (private Redis and PostgreSQL, example rules, mock Moog sink) for a laptop or a demo'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "web" -d 'The web UI and REST API'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c mutt -n "__fish_mutt_using_subcommand help; and not __fish_seen_subcommand_from alert forward ingest e2e load mock-moog migrate config remediate up web completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from alert" -f -a "run" -d 'Match queued events against the rules, audit them and queue alerts, until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from forward" -f -a "run" -d 'Send queued alerts to Moogsoft (rate limit, retries, circuit breaker, DLQ) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from ingest" -f -a "serve" -d 'Serve the ingest API (POST /ingest, /api/v1/ingest, /api/v2/ingest, //ingest) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every effective setting, its source (flag/env/file/URL/default), secrets masked'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from remediate" -f -a "run" -d 'Replay dead letters to their source queues on an interval (one active instance) until SIGTERM'
complete -c mutt -n "__fish_mutt_using_subcommand help; and __fish_seen_subcommand_from web" -f -a "serve" -d 'Serve the REST API (/api/v1, /api/v2), the dashboard and the management pages until SIGTERM'
