// Flat ESLint config: TypeScript rules plus Nx module boundaries by layer (see the layers below).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', 'libs/contracts/src/gen/**', 'frontend/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layers (project.json `tags`), lowest first; a project may import only the layers below it:
      //   contracts     generated event schemas (libs/contracts)
      //   domain        rules and value objects (libs/domain)
      //   port          a port with its adapters and factory (event-store, bus, storage, read-model,
      //                 checkpoint-store, key-store): code above uses the port type and the factory only
      //   adapter       engines without a port of their own (imaging: sharp, classifier: onnxruntime,
      //                 colour: pixel maths), called directly by the application
      //   config        configuration schema (libs/config)
      //   test-support  helpers for specs and benchmarks
      //   application   use cases, workers, composition root (libs/application)
      //   edge          HTTP (libs/http-api): the application, and lower layers' error types to map
      //   service       entry points (services/*): anything below, never another service
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'layer:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:contracts'] },
            { sourceTag: 'layer:port', onlyDependOnLibsWithTags: ['layer:domain', 'layer:contracts'] },
            { sourceTag: 'layer:adapter', onlyDependOnLibsWithTags: ['layer:adapter', 'layer:domain', 'layer:contracts', 'layer:test-support'] },
            { sourceTag: 'layer:config', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:test-support', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'layer:application',
              onlyDependOnLibsWithTags: ['layer:port', 'layer:adapter', 'layer:domain', 'layer:contracts', 'layer:config'],
            },
            {
              sourceTag: 'layer:edge',
              onlyDependOnLibsWithTags: ['layer:application', 'layer:port', 'layer:adapter', 'layer:domain', 'layer:contracts', 'layer:config', 'layer:test-support'],
            },
            {
              sourceTag: 'layer:service',
              onlyDependOnLibsWithTags: ['layer:edge', 'layer:application', 'layer:port', 'layer:adapter', 'layer:domain', 'layer:contracts', 'layer:config', 'layer:test-support'],
            },
          ],
        },
      ],
    },
  },
];
