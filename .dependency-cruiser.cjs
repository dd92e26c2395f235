/**
 * Import boundaries (see ../shared/STYLE.md): dependencies point inward, the core stays pure,
 * the offline stack never leaks into what we deploy.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'commands-are-pure',
      comment: 'src/commands holds the investigations: zod and itself only.',
      severity: 'error',
      from: { path: '^src/commands/' },
      to: { pathNot: ['^src/commands/', 'node_modules/zod/'] },
    },
    {
      name: 'commands-know-no-watched-service',
      comment:
        'Flows are configuration (GUMSHOE_CONFIG): no investigation imports a watched service, its contract included.',
      severity: 'error',
      from: { path: '^src/(commands|bot|aws)/' },
      to: { path: '^src/(conference-app|orders-app)/' },
    },
    {
      name: 'contract-is-pure',
      comment: 'The service contract is imported by the bot core, so it may only use zod.',
      severity: 'error',
      from: { path: '^src/conference-app/contract/' },
      to: { pathNot: ['^src/conference-app/contract/', 'node_modules/zod/'] },
    },
    {
      name: 'service-core-has-no-io',
      comment: 'The service core (sessions/) knows nothing of AWS, HTTP frameworks or Slack.',
      severity: 'error',
      from: { path: '^src/conference-app/sessions/' },
      to: {
        path: ['node_modules/@aws-sdk/', 'node_modules/@slack/', '^src/conference-app/(store|handlers)/'],
      },
    },
    {
      name: 'only-the-bot-imports-slack',
      comment: 'src/bot is the Slack edge; nothing else in src depends on @slack/*.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bot/' },
      to: { path: 'node_modules/@slack/' },
    },
    {
      name: 'no-local-stack-in-deployed-code',
      comment: 'src/local is the offline stack; deployed code never imports it.',
      severity: 'error',
      from: { path: '^(src|infra)/', pathNot: '^src/local/' },
      to: { path: '^src/local/' },
    },
    {
      name: 'service-does-not-know-the-bot',
      severity: 'error',
      from: { path: '^src/conference-app/' },
      to: { path: '^src/(bot|commands|aws)/' },
    },
    {
      name: 'aws-adapters-do-not-know-slack-edge',
      severity: 'error',
      from: { path: '^src/aws/' },
      to: { path: '^src/bot/' },
    },
    {
      name: 'bot-takes-types-from-the-core',
      comment:
        'Ports and their types live in src/commands (the core); the Slack edge never imports an adapter for types.',
      severity: 'error',
      from: { path: '^src/bot/' },
      to: { path: '^src/aws/', dependencyTypes: ['type-only'] },
    },
    {
      name: 'only-composition-roots-build-adapters',
      comment:
        'Lambda handlers build adapters; listeners load them lazily (dynamic import) off the ack path.',
      severity: 'error',
      from: { path: '^src/bot/', pathNot: '^src/bot/(handlers/|app\\.ts$)' },
      to: { path: '^src/aws/', dependencyTypesNot: ['dynamic-import'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
