/**
 * The embedded default config of `clawwarden run --demo` and `check --demo`, loaded as the file `<demo>`.
 * Which demo session each policy is meant to catch (see cast.ts):
 * - session-token-cap   → agent:backend:fix-flaky-tests, the runaway tool loop (~360k tokens at start and climbing);
 *                         stop at once, kill if still running 5 minutes later.
 * - inefficient-sessions → agent:researcher:market-scan (~156k input, ~2.5k output: ratio ~60); pause.
 * - idle-cleanup        → agent:archivist:weekly-digest (last activity 4+ days ago, not archived); archive.
 * - burn-rate           → the runaway again (~3.6M tokens a minute once it has been watched for a minute).
 * - agent-daily-budget  → agent `reporting` (six sessions on the premium model, > $25 today, still spending); pause
 *                         all its sessions (agent:reporting:main is held, not archived) until the UTC day rolls over.
 * Healthy sessions stay below every threshold (< 200k tokens, ratio < 40, idle < 24h, < $20 a day per agent).
 * `run --demo` adds the storyline (story.ts, option `story: true`): a new runaway at 20 s (session-token-cap stops it at
 * the call that crosses 200k), agent `planner` over $25 at ~1 min (agent-daily-budget warns, then pauses it), an idle
 * session archived at ~2 min (idle-cleanup), then a new incident every 3 minutes; `check --demo` sees the cast at t0.
 * No notifiers are configured, so `notify` reaches nobody. Main sessions are not protected, so the budget pause
 * visibly holds agent:reporting:main (protected sessions are never paused).
 */
export const DEMO_CONFIG_YAML = `# clawwarden demo: a simulated 13-agent OpenClaw fleet with nothing else installed.
sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "* * * * *"
http:
  listen: 127.0.0.1:9464
safety:
  maxActionsPerSweep: 20
  # No protect list here, so the over-budget agent's main session shows a hold (it cannot be archived);
  # a real fleet would usually protect "agent:*:main".
policies:
  - name: session-token-cap
    description: Stop any session past 200k tokens; kill it if it keeps going.
    when: { tokens.total: "> 200k" }
    do: [ notify, stop ]
    escalate:
      - after: 5m
        if: active
        do: kill
    cooldown: 30m

  - name: inefficient-sessions
    description: Pause sessions that read a lot and write almost nothing.
    when:
      all:
        - tokens.input: "> 50k"
        - ratio.input_output: "> 40"
    do: [ notify, pause ]

  - name: idle-cleanup
    description: Archive sessions nobody has used for a day.
    when: { idle: "> 24h" }
    do: [ { cleanup: archive } ]

  - name: burn-rate
    description: Stop a session burning more than 300k tokens a minute.
    when: { burn: { tokens: "> 300k", per: 1m } }
    do: [ notify, stop ]

  - name: agent-daily-budget
    description: Each agent may spend $25 a UTC day; warn at 80%, pause the agent above it.
    scope: agent
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $25" }
    warn: 80%
    do: [ notify, pause ]
`;
