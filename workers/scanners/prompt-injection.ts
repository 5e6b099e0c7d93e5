// Prompt-injection detector. Runs on user content (direct injection) and on tool output (indirect
// injection), after normalisation (normalize.ts), and recognises named techniques, each reported as
// its own signature. A third check, `responseFollowsInjection`, looks at a model response for signs
// that it obeyed an injection found in the same call's non-system content.
//
// Boundaries, decided from the benign corpora (role prompts, clean emails and code answers):
// - "act as a Linux terminal" is a role prompt, not an injection: a role change counts only
//   together with a liberation marker ("no restrictions", "not bound by the rules", ...).
// - "ignore the previous error and retry" / "ignore my previous message" are ordinary chat: the
//   ignore technique needs an instruction-like object (instructions, rules, system prompt, ...) or
//   the bare "ignore the above", and never fires on the speaker's own ("my") messages.
// - Instructions about "your response/reply/code" are normal from a user and suspicious only inside
//   tool output, so `embedded_instruction` is an indirect-only technique.
import { KeywordAutomaton } from "./keyword-automaton.ts";
import { deleet, normalizeForMatching } from "./normalize.ts";
import type { PatternHit, Severity } from "./types.ts";

export type InjectionTechnique =
  | "ignore_previous_instructions"
  | "role_override"
  | "fake_system_tag"
  | "dan_jailbreak"
  | "developer_mode"
  | "system_prompt_extraction"
  | "data_exfiltration"
  | "unicode_tag_smuggling"
  | "embedded_instruction";

export const INJECTION_TECHNIQUES: readonly InjectionTechnique[] = [
  "ignore_previous_instructions",
  "role_override",
  "fake_system_tag",
  "dan_jailbreak",
  "developer_mode",
  "system_prompt_extraction",
  "data_exfiltration",
  "unicode_tag_smuggling",
  "embedded_instruction",
];

const SEVERITY: Record<InjectionTechnique, Severity> = {
  ignore_previous_instructions: "high",
  role_override: "high",
  fake_system_tag: "high",
  dan_jailbreak: "high",
  developer_mode: "high",
  system_prompt_extraction: "medium",
  data_exfiltration: "critical",
  unicode_tag_smuggling: "high",
  embedded_instruction: "medium",
};

export const RESPONSE_FOLLOWS_INJECTION = "response_follows_injection";

// ---- Vocabulary --------------------------------------------------------------------------------------

const IGNORE_VERB =
  "(?:ignore|ignoring|disregard(?:ing)?|forget(?:ting)?|skip|overrid(?:e|ing)|overrule|bypass|discard|abandon|neglect|set aside|throw away|pay no attention to|do not (?:follow|obey|listen to)|don'?t (?:follow|obey|listen to)|stop (?:following|obeying)|no longer (?:follow|obey))";
// Determiners between the verb and its object; "my" is excluded on purpose (see file comment).
const DET = "(?:(?:all|any|every|each|the|your|these|those|such|of|its|their|whatever|everything|other) )*";
const MOD =
  "(?:previous(?:ly)?|prior|above|earlier|preceding|former|foregoing|initial|original|old|past|existing|given|current|system|developer|default|following|aforementioned|out of date|outdated|before|other)";
const ADJ = "(?:(?:and |or |& |, )?(?:following|above|prior|system|user|safety|ethical|content|chat|original|initial|developer|given|ai|model|assistant|openai|safety|moral|programmed|built-in) )*";
const STRONG_NOUN =
  "(?:instructions?|instruct|directions?|directives?|system ?prompts?|prompts?|prompting|rules?|guidelines?|guidance|programming|restrictions?|constraints?|filters?|safeguards?|polic(?:y|ies)|protocols?|training|commands?|orders)";
const WEAK_NOUN = "(?:text|content|information|messages?|inputs?|context|conversation|evidence|everything|requests?|tasks?|data)";

const IGNORE_PATTERNS: readonly RegExp[] = [
  // "ignore all previous instructions", "disregard the system prompting", "ignore any previous and following instructions"
  new RegExp(`\\b${IGNORE_VERB} ${DET}(?:${MOD} )(?:(?:and|or|&) ${MOD} )?${ADJ}(?:${WEAK_NOUN} (?:and|or|&) )?${STRONG_NOUN}\\b`),
  // "ignore all previous text", "ignore the above content"
  new RegExp(`\\b${IGNORE_VERB} (?:all |any |the |everything )*(?:previous|prior|above|preceding|earlier) ${WEAK_NOUN}\\b`),
  // "forget all your rules", "disregard any rules", "ignore your programming"
  new RegExp(`\\b${IGNORE_VERB} (?:all |any |every |your |the )+(?:of )?(?:your |the )?${ADJ}${STRONG_NOUN}\\b`),
  // "ignore the directions above", "ignore all the instructions you got before", "forget everything you learned"
  new RegExp(
    `\\b${IGNORE_VERB} ${DET}(?:${STRONG_NOUN}|${WEAK_NOUN}) (?:above|before|previously|so far|given (?:to you|above|before|earlier)|you(?:'ve| have)? (?:been )?(?:given|received|got|learned|learnt|were (?:given|told))|you (?:got|know|learned|learnt)|from (?:before|the system|your developers?|openai|anthropic))`,
  ),
  // "ignore the above and ...", "ignore everything before"
  new RegExp(`\\b${IGNORE_VERB} (?:the |all |everything |all of the )?(?:above|previous|prior|preceding|before)(?: (?:one|ones|part|section|lines?))?(?= ?(?:[,.;:!?]|$|and\\b|then\\b|instead\\b|&|now\\b))`),
  // "all previous instructions are false", "the above rules no longer apply"
  new RegExp(`\\b(?:all ?)?(?:previous|prior|above|earlier|old|original|initial|preceding|former) ${STRONG_NOUN} (?:are|is|were|have been|has been) (?:now |hereby )?(?:false|void|null|invalid|cancell?ed|obsolete|outdated|out of date|wrong|revoked|overridden|suspended|lifted|disabled|deprecated|no longer (?:valid|apply|applicable|in effect|relevant))`),
  /\b(?:above|previous|prior|old|original) (?:instructions|rules|guidelines|prompts?) (?:no longer|don'?t|do not) apply\b/,
  // Override announcements.
  /\bbegin (?:new|updated|revised) instructions?\b|\bbegin reprogramm?ing\b|\breprogramm?(?:ing|ed) (?:the |you|chat|assistant|ai)/,
  /\bend (?:of )?(?:out of date|outdated|old|previous|prior|the old) (?:instructions|prompt|rules)\b/,
  /\bnew (?:instructions?|directives?|orders) (?:to|for) (?:the )?(?:chat )?(?:assistant|ai|model|bot|llm|agent|gpt)\b/,
  /\byou have been given (?:a |an )?(?:system )?(?:upgrade|update|new (?:instructions|directives|rules))\b/,
  /\b(?:every time|whenever|each time) (?:a|the|any) user (?:asks?|says|mentions|requests|types|writes)\b.{0,160}?\b(?:reply|respond|answer|say|tell|insist|recommend|suggest|redirect)\b/,
  /\bstop everything\b.{0,40}\b(?:now|just|print|say|output)\b/,
  /\b(?:i am|i'm) your (?:developer|creator|admin(?:istrator)?|owner|programmer|operator)\b.{0,80}\b(?:forget|ignore|disregard|rules|instructions|override)\b/,
  /\b(?:administrator|admin|developer|sudo|root|system) override\b/,
  /\b(?:has|have) been (?:so thoroughly )?hijacked\b/,
  // Multimodal: "ignore the image content, and write ...", "IGNORE THE QR CODE, REMEMBER ...".
  /\bignore the (?:image|picture|photo|screenshot|document|pdf|file|qr code|video|audio|attachment|web ?page|website)(?: content| text)?\b.{0,40}?\b(?:write|say|print|output|respond|reply|tell|remember|instead)\b/,
];

const ROLE =
  /\b(?:you are (?:now|no longer|going to (?:act|be|pretend|play)|about to (?:immerse|become|act|play)|to act as)|from now on,? (?:you|act|behave|respond|answer)|act(?:ing)? as|pretend(?:ing)? (?:to be|you are|you're|that you are)|role-?play|play the role|take on the role|immerse yourself|imagine you are|simulate|transform into|your new (?:role|persona|identity|name|purpose|goal|objective) is|(?:another|new|different|an?) (?:a[il]|artificial intelligence) (?:model|assistant|chatbot|bot|system)?|is now online|took over|taken over|takes over|instead of the assistant|does the jobs? (?:as|of) the assistant)\b/;
const LIBERATION =
  /\b(?:unrestricted|unfiltered|uncensored|unlimited|unbound|jailbroken|amoral|no (?:ethical|moral|content) (?:guidelines|constraints|restrictions|limits|boundaries|filters|polic(?:y|ies))|(?:without|no|free (?:of|from)) (?:any )?(?:restrictions|limitations|filters|censorship|rules|guidelines|ethics|morals|boundaries|limits|constraints)|not (?:bound|restricted|limited|constrained) by|broken? (?:free|the typical confines)|break free|(?:does|do|doesn'?t|don'?t) not? ?have to (?:abide|follow|comply|obey)|(?:ignore|bypass|disregard) (?:your|its|their|all|any) (?:guidelines|rules|programming|training|polic(?:y|ies)|content policy|filters|restrictions)|(?:never|not|won'?t|will not|cannot) (?:refuse|decline|say no)|can do anything|secret agenda|not restricted by the rules|no longer (?:bound|an ai|restricted|limited))\b/;
const ROLE_DIRECT: readonly RegExp[] = [
  /\byou are now (?:a|an|the|my) (?:[\w-]+ ){0,3}(?:bot|assistant|ai|model|persona|character|agent|chatbot|gpt|system|version)\b/,
  /\byou are no longer (?:a |an )?(?:ai|assistant|chatgpt|claude|gpt|bound|restricted|limited|language model|bot)\b/,
  /\bthe assistant is (?:in error|offline|disabled|broken|down|no longer)\b/,
  /\bpretend (?:to be|you are|you're) my (?:deceased |late |dead )?(?:grand(?:mother|ma|father|pa)|granny|mom|mother|dad|father)\b/,
];

const FAKE_TAG_PATTERNS: readonly RegExp[] = [
  /<\|(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_turn|start_of_turn)\|>/,
  /\[\/?(?:system|inst|sys|admin|developer|sudo)(?:[ _-]?(?:note|message|prompt|instructions?|override|update|notice|command|alert))?\]/,
  /<<\/?sys>>/,
  /<\/?(?:system|system[_-]?(?:prompt|message|instructions?)|developer|admin|im_start)(?: [^>]{0,40})?>/,
  /\b(?:system|developer|admin(?:istrator)?|openai|anthropic) (?:message|prompt|note|notice|instruction|override|update|alert|command)s? ?: /,
  /(?:^|[.!?] )system ?: (?:you|ignore|respond|always|never|new|from now|the assistant|forget|disregard|this (?:chat|conversation))/,
  /(?:#{2,}|%{2,}|={3,}|-{3,}|\*{3,}) ?(?:(?:begin|end|start) )?(?:(?:new|updated|system|admin|developer|out of date|real|true|actual|override) )?(?:instructions?|system prompt|system message|prompt) ?(?:#{2,}|%{2,}|={3,}|-{3,}|\*{3,})/,
];
// Tool output has no business containing instruction markup at all.
const FAKE_TAG_INDIRECT: readonly RegExp[] = [/<\/?(?:instructions?|important|admin_instructions|user_instructions)(?: [^>]{0,40})?>/];

const DAN_LOWER: readonly RegExp[] = [
  /\bdo anything now\b/,
  /\bdan mode\b/,
  /\[(?:🔓|🔒) ?(?:jailbreak|classic|developer)/,
  /\bstay in character\b.{0,200}\b(?:dan|jailbreak|persona)\b/,
  /\bstrive to avoid norms\b/,
  /\balways intelligent and machiavellian\b/,
  /\banti-?dan\b/,
  /\bbetter ?dan\b/,
  /\bmongo tom\b/,
  /\b(?:you are|you're|act as|become) (?:now )?(?:a )?jailbroken\b|\bjailbreak(?:ed)? (?:mode|prompt|persona|version|response)\b/,
  /\b(?:another|a new|different) a[il] (?:model|assistant|chatbot) (?:known as|named|called)\b.{0,300}\b(?:broken|confines|abide|restrictions|filters|rules|anything)\b/,
  /\b(?:play|take on|assume) the role of (?:another|a new) (?:a[il]|artificial intelligence)\b/,
];
const DAN_CASED: readonly RegExp[] = [/\[DAN\]|\bDAN:|\b(?:as|like|named|called|be|am|is) (?:DAN|STAN|DUDE|AIM)\b|\b(?:DAN|STAN|DUDE) (?:can|will|has|is|must|stands for)\b/];

const DEV_MODE_PATTERNS: readonly RegExp[] = [
  /\bdeveloper mode (?:enabled|output|response|activated|on(?= ?[.!,:;)]|$))/,
  /\b(?:with|in|enable|activate|simulate|enter) developer mode\b.{0,300}\b(?:polic(?:y|ies)|openai|chatgpt|content|censor|response|output|enabled)\b/,
  /\b(?:dev|god|sudo|admin|debug|unrestricted|maintenance|root|jailbreak|evil) mode (?:enabled|activated|engaged|on)\b/,
  /\b(?:you are|you're) (?:now )?in (?:dev|developer|god|sudo|admin|debug|unrestricted|maintenance|root) mode\b/,
  /\bsafe(?:ty)? ?(?:mode|filters?|protocols?) (?:off|disabled|deactivated)\b|\b(?:disable|turn off|deactivate) (?:your |all )?safe(?:ty)? ?(?:mode|filters?|protocols?|guidelines)\b/,
];

const EXTRACT_TARGET_STRONG =
  "(?:system ?(?:prompt|message|instructions?|prompting)|system'?s (?:parameters|instructions|prompt|configuration|rules)|(?:initial|original|hidden|secret|internal|starting|underlying|preset|pre-?|developer|confidential) ?(?:prompt|prompting|instructions?|directives?|configuration|config|guidelines|rules|message)|initials? instructions|initialization (?:string|prompt|text)|pre-?prompt|(?:instructions|prompt|text|rules|words|message) you (?:were|have been|'ve been|got) given|(?:instructions|prompt) (?:you were given )?at the (?:beginning|start))";
const EXTRACT_TARGET_WEAK =
  "(?:your (?:instructions|directives|prompt|programming|configuration|initial \\w+)|(?:the )?(?:text|content|words|prompt|instructions) above|everything (?:above|before)|the above|(?:this|the|our) (?:entire |whole )?conversation(?: so far)?)";
// Verbs that ask for text to be reproduced; "translate/summarise/explain the text above" are
// ordinary requests about text the user pasted.
const EXTRACT_VERB =
  "(?:repeat|reveal|show|print|output|display|dump|leak|expose|recite|copy|paste|return|disclose|spell out|encode|console\\.log|relay|respond with|reply with|write out)";
const EXTRACT_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b${EXTRACT_TARGET_STRONG}\\b`),
  new RegExp(`\\b${EXTRACT_VERB}\\b.{0,60}?\\b${EXTRACT_TARGET_WEAK}\\b`),
  /\b(?:what|which) (?:are|were|is|was) your (?:instructions|directives|prompt|programming|configuration)\b/,
  /\b(?:my|your) (?:instructions|system prompt|rules|initial prompt) (?:are|is|were|was) ?:/,
  // Sentence-completion bait ("Complete this sentence: 'I was instructed to'"); plain "I was told
  // to cancel" is ordinary speech.
  /\b(?:complete|continue|finish|start|begin)\b[^.!?]{0,60}["'](?:i was (?:instructed|told|programmed|configured) to|my (?:instructions|rules|system prompt) (?:are|is)|the (?:system )?prompt (?:is|says))/,
  /\b(?:what|how) (?:were|are|was) you (?:told|instructed|programmed|configured|prompted)\b/,
  /\b(?:what are|what is|what's) (?:it that )?you(?:'re| are)? not (?:supposed|allowed|permitted) to (?:tell|say|reveal|share|disclose)\b/,
  /\b(?:repeat|print|output|recite|copy|return) (?:\w+ ){0,4}(?:verbatim|word for word|in full|exactly as (?:written|given))\b/,
  /\bsystemprompt\b/,
];

// Sending data to an outside address. From a user, "send the documents to my lawyer at x@y.com" is
// a normal request, so in user content only other people's or the system's data counts (all mail,
// the conversation, credentials); in tool output any such request counts.
const EXFIL_OBJECT_STRONG =
  "(?:(?:all|every|each|entire|whole) (?:[\\w'’]+ ){0,2}?(?:emails?|messages|files|documents|contacts|data|conversations?)|inbox|conversations?|chat(?: history| log)?|(?:conversation|chat|message|browsing) history|passwords?|credentials|api keys?|secret keys?|secrets|tokens|cookies|sessions?|user'?s'? (?:data|information|details|emails?|messages|conversations?|history|files|contacts))";
const EXFIL_DEST = "\\b(?:to|at|into) (?:[\\w.+-]+@[\\w-]+\\.[\\w.]+|https?:\\/\\/)";
const EXFIL_VERB = "\\b(?:send|forward|email|e-mail|mail|post|upload|transmit|exfiltrate|leak|copy)\\b(?: me)?";
const EXFIL_PATTERNS: readonly RegExp[] = [
  new RegExp(`${EXFIL_VERB}(?: (?:the|any|your|their|single|of|this|these|my))* (?:[\\w'’]+ ){0,2}?${EXFIL_OBJECT_STRONG}\\b.{0,100}?${EXFIL_DEST}`),
  /!\[[^\]]{0,100}\]\(https?:\/\/[^)\s]{0,200}[?&][\w-]+=(?:\{|\[|<|%7b|\$)/,
];
const EXFIL_INDIRECT: readonly RegExp[] = [
  new RegExp(`${EXFIL_VERB}(?: (?:all|every|each|the|any|your|their|single|of|this|these))* (?:[\\w'’]+ ){0,3}?(?:emails?|messages|data|files?|documents?|contacts|keys|history)\\b.{0,100}?${EXFIL_DEST}`),
];

const EMBEDDED_PATTERNS: readonly RegExp[] = [
  /\b(?:in|into|to|within|throughout|from|of) your (?:response|reply|answer|output|message|elucidation|explanation|summary|translation)(?:'s|s)?\b/,
  // Code outputs: "your code" is everyday Stack Overflow wording, so require a verb that asks for
  // something to be put into it.
  /\b(?:include|add|insert|integrat\w*|incorporat\w*|merge|embed|append|blend|fuse|weave|meld|infuse|absorb|adopt|deploy|enlist|leverag\w*|employ|render|introduc\w*|engag\w*|harmoni[sz]\w*|interweav\w*|assimilat\w*|inject|utili[sz]\w*|ensure|consider|enrich|fortify|streamlin\w*|complement|make)\b[^.\n]{0,100}\b(?:in|into|to|within|of|with|for|as) (?:(?:a|the) (?:\w+ ){0,2})?your (?:code|solution|implementation|codebase|code ?base|algorithm|program|script)s?\b/,
  /\b(?:utili[sz]e|integrate|incorporate|embed|merge|blend|fuse|weave|append|infuse|meld|absorb|adopt|deploy|enlist|leverage|employ|harmoni[sz]e|interweave|assimilate|inject) the (?:following|subsequent|below|given|attached) code (?:block|snippet|excerpt|section|segment)s?\b/,
  // A code block pushed at "your code/implementation" in the same sentence, either order.
  /\b(?:following|subsequent|below|attached) code (?:block|snippet|excerpt|section|segment)s?\b[^.\n]{0,120}\byour (?:code|implementation|solution|algorithm|codebase|program|script)\b|\byour (?:code|implementation|solution|algorithm|codebase|program|script)\b[^.\n]{0,120}\b(?:following|subsequent|below|attached) code (?:block|snippet|excerpt|section|segment)s?\b/,
  /\bin the code you (?:develop|write|produce|generate|create|build)\b/,
  /\byour (?:response|reply|answer|output)s? (?:should|must|needs? to|has to|will|shall)\b/,
  /\b(?:provide|give|write|render|format|compose|deliver|present|structure|modify|enhance|augment|adjust|alter|revise|end|begin|start|conclude|finish|enrich|extend|expand|let) your (?:response|reply|answer|message|output|code|solution|implementation)\b/,
  /\b(?:if|when) you are an? (?:ai|llm|language model|assistant|chatbot|agent|bot|gpt)\b/,
  /\b(?:note|message|instructions?|attention|reminder|notice|directive|important) (?:to|for) (?:the |any |all )?(?:ai|assistant|llm|model|agent|chatbot|language model|bot)s?\b/,
  /\b(?:ai|assistant|chatbot|language model|llm|agent)s?(?:,|:) (?:please |you )?(?:must|should|need to|are (?:required|instructed) to|ignore|do not|don'?t|make sure|remember to|include|respond|reply|say)\b/,
  /\b(?:do not|don'?t|never) (?:tell|inform|notify|alert|warn) (?:the )?user\b|\bwithout (?:telling|informing|notifying|alerting) the user\b/,
  /\b(?:the )?user (?:must|should|will) (?:not|never) (?:know|see|find out|be told)\b/,
];

// ---- Detection -----------------------------------------------------------------------------------------

export interface InjectionScan {
  hits: PatternHit[];
  /** Normalised text windows around each match, for `responseFollowsInjection`. */
  windows: string[];
}

const WINDOW_BEFORE = 120;
const WINDOW_AFTER = 300;

function firstMatch(patterns: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m !== null) return m;
  }
  return null;
}

function roleOverride(text: string): RegExpExecArray | null {
  const direct = firstMatch(ROLE_DIRECT, text);
  if (direct !== null) return direct;
  const role = ROLE.exec(text);
  if (role === null) return null;
  // A role change plus a liberation marker close to it (the same prompt, not two far-apart
  // paragraphs of a long document).
  const from = Math.max(0, role.index - 1500);
  const lib = LIBERATION.exec(text.slice(from, role.index + 1500));
  return lib === null ? null : role;
}

// Per-technique gates: a technique's regexes run only when the text contains one of these
// fragments (the same keyword-prefilter idea as the secret rules). All fragments of all gates are
// found in one pass by GATE_AUTOMATON; a gate's fragments are necessary for its patterns to match.
type GatedTechnique = Exclude<InjectionTechnique, "unicode_tag_smuggling">;
const GATE_FRAGMENTS: Record<GatedTechnique, readonly string[]> = {
  ignore_previous_instructions: [
    ...["ignor", "disregard", "forget", "overrid", "overrul", "bypass", "discard", "abandon", "neglect", "set aside", "throw away"],
    ...["pay no attention", "follow", "obey", "instruct", "rules", "prompt", "reprogram", "stop everything", "upgrade", "every time"],
    ...["whenever", "each time", "override", "hijack", "developer", "creator"],
  ],
  role_override: [
    ...["you are", "you're", "from now", "act as", "acting as", "pretend", "role", "immerse", "imagine", "simulat", "transform"],
    // "an AI ", "new AL ": ROLE's "(another|new|different|an?) a[il] " in full, since a bare "al "
    // ends half the words of English prose ("final ", "total ") and opened this gate for a fifth
    // of the tau-bench messages.
    ...["persona", "artificial", "online", "took over", "taken over", "takes over", "assistant"],
    ...["r ai ", "w ai ", "t ai ", "n ai ", "a ai ", "r al ", "w al ", "t al ", "n al ", "a al "],
  ],
  fake_system_tag: ["<", "[", "##", "%%", "==", "--", "**", "system", "developer", "admin", "openai", "anthropic"],
  // The persona names ("dan", "stan", "dude", "aim") are in GATE_EXTRA: as bare fragments they
  // matched "understand", "claim" and "guidance".
  dan_jailbreak: [
    ...["anything now", "jailbr", "character", "norms", "machiavell", "mongo tom", "artificial intelligence"],
    ...["ai model", "ai assistant", "ai chatbot", "al model", "al assistant", "al chatbot", "the role of a"],
  ],
  developer_mode: ["mode", "safe"],
  system_prompt_extraction: [
    ...["prompt", "instruct", "system", "above", "given", "told", "supposed", "allowed", "permitted", "configur", "initiali"],
    ...["verbatim", "word for word", "rules", "conversation", "programmed", "directive", "guideline"],
  ],
  data_exfiltration: ["send", "forward", "mail", "post", "upload", "transmit", "exfiltrat", "leak", "copy", "!["],
  embedded_instruction: ["your", "you are", "user", "assistant", "model", "llm", "agent", "chatbot", "following", "subsequent", "below"],
};
const GATED = Object.keys(GATE_FRAGMENTS) as GatedTechnique[];
/** Gate fragments beyond the literals: non-ASCII ones, and ones that need a word boundary. */
const GATE_EXTRA: Partial<Record<GatedTechnique, { fragment: string; confirm: RegExp }[]>> = {
  dan_jailbreak: [
    { fragment: "", confirm: /🔓|🔒/ },
    // Every pattern has these names whole ("[DAN]", "as STAN", "DUDE will"), or "dan" at the end of
    // "antidan" and "betterdan".
    { fragment: "dan", confirm: /dan\b/ },
    { fragment: "stan", confirm: /\bstan\b/ },
    { fragment: "dude", confirm: /\bdude\b/ },
    { fragment: "aim", confirm: /\baim\b/ },
  ],
  embedded_instruction: [
    { fragment: "ai", confirm: /\bai\b/ },
    { fragment: "bot", confirm: /bot\b/ },
  ],
};
const GATE_KEYWORDS: readonly string[] = [
  ...new Set([...GATED.flatMap((t) => GATE_FRAGMENTS[t]), ...Object.values(GATE_EXTRA).flatMap((x) => x.map((e) => e.fragment).filter(Boolean))]),
];
const GATE_AUTOMATON = new KeywordAutomaton(GATE_KEYWORDS);
/** A technique's bit in a gate mask: its index in GATED. */
const GATE_BIT = Object.fromEntries(GATED.map((t, i) => [t, 1 << i])) as Record<GatedTechnique, number>;
/** Bits past the techniques' mark the extra fragments found (confirmed by their regex below). */
const EXTRA_FRAGMENT_BIT = new Map<string, number>();
for (const extras of Object.values(GATE_EXTRA)) {
  for (const e of extras) if (e.fragment !== "" && !EXTRA_FRAGMENT_BIT.has(e.fragment)) EXTRA_FRAGMENT_BIT.set(e.fragment, 1 << (GATED.length + EXTRA_FRAGMENT_BIT.size));
}
/** By automaton keyword: the bits of the techniques it is a literal fragment of, and its extra-fragment bit. */
const GATE_MASKS = new Uint32Array(GATE_KEYWORDS.length);
for (const t of GATED) for (const k of GATE_FRAGMENTS[t]) GATE_MASKS[GATE_KEYWORDS.indexOf(k)]! |= GATE_BIT[t];
for (const [fragment, bit] of EXTRA_FRAGMENT_BIT) GATE_MASKS[GATE_KEYWORDS.indexOf(fragment)]! |= bit;
/** Techniques opened by an extra fragment: its bit (0: no fragment, the regex alone decides) and confirming regex. */
const GATE_EXTRA_CHECKS = GATED.flatMap((t) => (GATE_EXTRA[t] ?? []).map((e) => ({ bit: GATE_BIT[t], fragmentBit: e.fragment === "" ? 0 : EXTRA_FRAGMENT_BIT.get(e.fragment)!, confirm: e.confirm })));
/** The only fragments the automaton cannot see are the non-ASCII ones. */
const HAS_NON_ASCII = /[\u0080-\uffff]/;

/** The gated techniques whose gate `lower` opens, as a mask of GATE_BIT bits. */
function openGates(lower: string): number {
  const found = GATE_AUTOMATON.maskOf(lower, GATE_MASKS);
  if (found === 0 && !HAS_NON_ASCII.test(lower)) return 0;
  let open = found & ((1 << GATED.length) - 1);
  for (const e of GATE_EXTRA_CHECKS) {
    if ((open & e.bit) === 0 && (e.fragmentBit === 0 || (found & e.fragmentBit) !== 0) && e.confirm.test(lower)) open |= e.bit;
  }
  return open;
}

function scanView(lower: string, cased: string | null, indirect: boolean, found: Map<InjectionTechnique, string>): void {
  const add = (t: InjectionTechnique, m: RegExpExecArray | null, view: string): void => {
    if (m === null || found.has(t)) return;
    found.set(t, view.slice(Math.max(0, m.index - WINDOW_BEFORE), m.index + m[0].length + WINDOW_AFTER));
  };
  const gates = openGates(lower);
  const open = (t: GatedTechnique): boolean => !found.has(t) && (gates & GATE_BIT[t]) !== 0;
  if (open("ignore_previous_instructions")) add("ignore_previous_instructions", firstMatch(IGNORE_PATTERNS, lower), lower);
  if (open("role_override")) add("role_override", roleOverride(lower), lower);
  if (open("fake_system_tag")) {
    add("fake_system_tag", firstMatch(FAKE_TAG_PATTERNS, lower), lower);
    if (indirect) add("fake_system_tag", firstMatch(FAKE_TAG_INDIRECT, lower), lower);
  }
  if (open("dan_jailbreak")) {
    add("dan_jailbreak", firstMatch(DAN_LOWER, lower), lower);
    if (cased !== null) add("dan_jailbreak", firstMatch(DAN_CASED, cased), cased.toLowerCase());
  }
  if (open("developer_mode")) add("developer_mode", firstMatch(DEV_MODE_PATTERNS, lower), lower);
  if (open("system_prompt_extraction")) add("system_prompt_extraction", firstMatch(EXTRACT_PATTERNS, lower), lower);
  if (open("data_exfiltration")) {
    add("data_exfiltration", firstMatch(EXFIL_PATTERNS, lower), lower);
    if (indirect) add("data_exfiltration", firstMatch(EXFIL_INDIRECT, lower), lower);
  }
  if (indirect && open("embedded_instruction")) add("embedded_instruction", firstMatch(EMBEDDED_PATTERNS, lower), lower);
}

/**
 * Injection techniques present in one string. `indirect` marks tool output: signatures get the
 * `indirect:` prefix and the tool-output-only techniques are enabled.
 */
export function scanInjection(text: string, opts: { indirect: boolean }): InjectionScan {
  const norm = normalizeForMatching(text);
  const found = new Map<InjectionTechnique, string>();
  if (norm.hiddenTagText.replace(/\s/g, "").length >= 4) {
    found.set("unicode_tag_smuggling", norm.hiddenTagText.toLowerCase().slice(0, WINDOW_AFTER));
  }
  const views: Array<{ lower: string; cased: string | null }> = [];
  views.push({ lower: norm.lower, cased: norm.cased });
  const leet = norm.mayHoldLeet ? deleet(norm.lower) : null;
  if (leet !== null) views.push({ lower: leet, cased: null });
  if (norm.hiddenTagText !== "") {
    const hidden = normalizeForMatching(norm.hiddenTagText);
    views.push({ lower: hidden.lower, cased: hidden.cased });
  }
  for (const d of norm.decoded) views.push({ lower: d, cased: null });
  for (const v of views) scanView(v.lower, v.cased, opts.indirect, found);

  const hits: PatternHit[] = [];
  const windows: string[] = [];
  for (const t of INJECTION_TECHNIQUES) {
    const w = found.get(t);
    if (w === undefined) continue;
    hits.push({ signature: opts.indirect ? `indirect:${t}` : t, severity: SEVERITY[t] });
    windows.push(w);
  }
  return { hits, windows };
}

// ---- Did the response follow it? ---------------------------------------------------------------------------

const PERSONA_COMPLIANCE =
  /(?:^|[\n.!:] ?)(?:\[?(?:dan|stan|dude|aim|jailbreak|jailbroken)\]? ?:|\(?🔓|\[🔓)|\bdeveloper mode (?:enabled|output)\b|\bdan mode (?:enabled|activated)\b|\b(?:i am|i'm) (?:now )?(?:dan|stan|dude|jailbroken|in developer mode|free from (?:all )?(?:restrictions|rules))\b|\bsuccessfully jailbroken\b|\bas (?:dan|stan|dude), i\b/;
const DISCLOSURE =
  /\b(?:my|the) (?:system prompt|system message|initial instructions|original instructions|instructions i was given|instructions) (?:is|are|was|were|says?|reads?) ?[:"“]|\bhere (?:is|are) (?:my|the) (?:full |complete |exact )?(?:system prompt|system message|initial instructions|original instructions|instructions)\b|\bi was (?:instructed|told|programmed) to\b/;
const QUOTED_PAYLOAD =
  /\b(?:say|print|write|output|respond with|reply with|answer with|return|repeat(?: after me)?|repeat with me|display|type|just say|only say)(?: only| just| exactly| back)?(?: the (?:text|words?|phrase|following))?:? ?["“'‘«]([^"”'’»]{3,200})["”'’»]/g;
const URL_OR_EMAIL = /\b(?:https?:\/\/)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|xyz|ai|co|info|biz|ru|cn|app|dev|site|online|top|me)\b(?:\/[^\s"')]*)?|\b[\w.+-]+@[\w-]+\.[\w.]+\b/g;

function norm(text: string): string {
  return normalizeForMatching(text).lower;
}

/** A sentence-sized piece of `source` (40+ chars) that appears verbatim in `target`. */
function sharesPassage(source: string, target: string): boolean {
  for (const sentence of source.split(/(?<=[.!?\n])\s+/)) {
    const s = sentence.trim();
    if (s.length >= 40 && target.includes(s.slice(0, 120))) return true;
  }
  return false;
}

/**
 * True when `response` shows the model obeyed an injection: it announces a jailbreak persona or
 * developer mode, discloses the system prompt, repeats the injected payload, or promotes a URL or
 * address the injection planted. Nothing counts if the same marker or payload is in the system
 * prompt: then the operator asked for it.
 *
 * @param response     the llm_call response, as text
 * @param injections   techniques and windows found in the call's non-system content
 * @param systemPrompt the system prompt text ("" if none)
 * @param userText     the call's user-authored text (URLs the user mentioned are not planted)
 */
export function responseFollowsInjection(
  response: string,
  injections: readonly { techniques: readonly string[]; windows: readonly string[] }[],
  systemPrompt: string,
  userText: string,
): boolean {
  if (injections.length === 0 || response.trim() === "") return false;
  const resp = norm(response);
  const sys = systemPrompt === "" ? "" : norm(systemPrompt);
  const techniques = new Set(injections.flatMap((i) => i.techniques.map((t) => t.replace(/^indirect:/, ""))));

  if (techniques.has("dan_jailbreak") || techniques.has("developer_mode") || techniques.has("role_override")) {
    const m = PERSONA_COMPLIANCE.exec(resp);
    if (m !== null && !sys.includes(m[0].trim().replace(/^[\n.!:] ?/, "").slice(0, 20))) return true;
  }
  if (techniques.has("system_prompt_extraction") || techniques.has("ignore_previous_instructions")) {
    if (sys !== "" && sharesPassage(sys, resp)) return true;
    const d = DISCLOSURE.exec(resp);
    if (d !== null && (sys === "" || !sys.includes(d[0]))) return true;
  }
  const user = userText === "" ? "" : norm(userText);
  for (const { windows } of injections) {
    for (const w of windows) {
      QUOTED_PAYLOAD.lastIndex = 0;
      let p: RegExpExecArray | null;
      while ((p = QUOTED_PAYLOAD.exec(w)) !== null) {
        const payload = (p[1] ?? "").trim();
        if (payload.length >= 3 && resp.includes(payload) && !sys.includes(payload)) return true;
      }
      URL_OR_EMAIL.lastIndex = 0;
      let u: RegExpExecArray | null;
      while ((u = URL_OR_EMAIL.exec(w)) !== null) {
        const planted = u[0].replace(/^https?:\/\//, "").replace(/^www\./, "");
        if (planted.length < 6) continue;
        if (resp.includes(planted) && !sys.includes(planted) && !user.includes(planted)) return true;
      }
    }
  }
  return false;
}
