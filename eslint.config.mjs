// Lint of the widgets' browser views (ganga_widgets/widgets/static/): plain ES modules.
// An .mjs file, not "type": "module" in package.json: that would make Node load every .js
// under the clone as an ES module, the venvs' JupyterLab scripts included.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["ganga_widgets/widgets/static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
      // Job text is untrusted: it is set with textContent, never parsed as HTML.
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "set job text with textContent" },
        { property: "outerHTML", message: "set job text with textContent" },
        { property: "insertAdjacentHTML", message: "set job text with textContent" }],
    },
  },
];
