// One lint configuration for the whole repository (docs/developers.md, "Lint and format").
// Formatting is Prettier's (.prettierrc.json); ESLint checks what Prettier cannot.
// A rule switched off for a line carries its reason in the disable comment
// (`-- reason`): `reportUnusedDisableDirectives` and the description rule keep them honest.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import jsxA11y from "eslint-plugin-jsx-a11y";
import globals from "globals";

/**
 * The one form-action idiom (docs/developers.md, "A form action"): a route
 * reads its form through `parseForm(request, Schema)` and answers through
 * conform's `reply()` or `refuse()`. These shapes are the other ways that
 * existed before; each message names the way to use instead.
 */
const FORM_ACTION_IDIOM = [
  {
    selector:
      "CallExpression[callee.object.name='Object'][callee.property.name='fromEntries'] > :first-child:matches(Identifier[name=/^(form|formData)$/], ArrayExpression, CallExpression[callee.property.name='entries'])",
    message: "Read a form with parseForm(request, Schema) from ~/lib/form-action.server, not Object.fromEntries(formData).",
  },
  {
    selector: "CallExpression[callee.property.name='safeParse']",
    message:
      "A route parses its form with parseForm(request, Schema) (conform's parseWithZod); the field errors come with submission.reply().",
  },
  {
    selector: "MemberExpression[property.name='issues']",
    message: "Do not build field errors by hand from a ZodError: conform's submission.reply() carries them.",
  },
  {
    selector: "TSTypeReference[typeName.name='FieldErrorMap']",
    message: "Field errors come from conform (useForm({ lastResult }) and the components of ~/components/form).",
  },
  {
    selector: "CallExpression[callee.object.name=/^(form|formData)$/][callee.property.name=/^(get|getAll)$/]",
    message: "Read a form's fields through its schema with parseForm(request, Schema), not form.get().",
  },
];

export default tseslint.config(
  { ignores: ["build/", "node_modules/", "data/", "tmp/", "public/build/", "coverage/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // `any` is allowed where a library's types are wider than ours (conform's field metadata): each one says why.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // Off on purpose: our control-character patterns are deliberate (refusing NUL and C0 characters in
      // input, mail headers and CSV cells), which is the one thing this rule exists to question.
      "no-control-regex": "off",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // two or more ../ that do not lead into db/ and server/ (which have no alias), or any ../ chain into app/
              regex: "^(\\.\\./){2,}(?!\\.\\./|db/|server/)|^(\\.\\./)+app/",
              message: "Import from the app through the ~/ alias (~/models/…), not a ../ chain.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.tsx"],
    ...react.configs.flat.recommended,
    ...react.configs.flat["jsx-runtime"],
    settings: { react: { version: "18.3" } },
  },
  {
    files: ["**/*.tsx"],
    plugins: { react, "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    settings: { react: { version: "18.3" } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat["jsx-runtime"].rules,
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      // Types are TypeScript's job.
      "react/prop-types": "off",
      // A scrolling region must be reachable by keyboard (axe: scrollable-region-focusable), so a
      // role="region" with its label may take tabIndex={0}; other non-interactive elements may not.
      "jsx-a11y/no-noninteractive-tabindex": ["error", { tags: [], roles: ["tabpanel", "region"], allowExpressionValues: true }],
    },
  },
  {
    files: ["app/routes/**/*.ts", "app/routes/**/*.tsx"],
    rules: { "no-restricted-syntax": ["error", ...FORM_ACTION_IDIOM] },
  },
  {
    // db/ and the migrations are outside app/ and have no alias: their own relative paths stay.
    files: ["db/**/*.ts", "server/**/*.ts", "bench/**/*.ts", "scripts/**/*"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
