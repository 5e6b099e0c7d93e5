// Public surface of the content scanners (data leakage, prompt injection, sandbox escape).
export type { ScanFinding, ScanFailureClass, SecretMatch, PatternHit, Severity } from "./types.ts";
export { scanEvent, type ScanEventOptions, type ScanEventResult } from "./scan-event.ts";
export {
  compileCustomRules,
  CustomRuleError,
  type CompiledCustomRule,
  type CustomRuleInput,
  type CustomRuleErrorCode,
} from "./custom-rules.ts";
export { findSecrets, redactSecrets, BUILT_IN_RULE_IDS } from "./data-leakage.ts";
export { BUILT_IN_RULES } from "./secret-rules.ts";
export { scanInjection, responseFollowsInjection, INJECTION_TECHNIQUES } from "./prompt-injection.ts";
export { scanSandboxEscape, SANDBOX_PATTERN_CLASSES } from "./sandbox-escape.ts";
