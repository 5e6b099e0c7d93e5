// Sandbox-escape detector: patterns in tool-call arguments, results and errors that show code
// trying to leave its sandbox or damage its host. One signature per pattern class.
//
// Scope decisions (see docs/detection-quality.md):
// - A shell tool running ordinary commands is not "shell invocation": `os_shell` means spawning a
//   shell or OS command from inside code (os.system, subprocess, child_process, Runtime.exec, a
//   spawned `sh -c`/`bash -i`), or a command-substitution payload (`$(touch ...)`). A shebang line
//   is not a shell spawn.
// - `import os` alone is not flagged (almost all Python touching paths does it); importing the
//   process-spawning modules (subprocess, pty) or importing os dynamically is.
// - System directories are /etc, /root, /boot, /bin, /sbin, /lib*, /usr, /proc, /sys, /dev (not
//   /dev/null and friends); /tmp, the working directory and home directories are the sandbox's own.
import { KeywordAutomaton } from "./keyword-automaton.ts";
import { softUnescape } from "./text-utils.ts";
import type { PatternHit, Severity } from "./types.ts";

export type SandboxPatternClass =
  | "os_shell"
  | "dynamic_eval"
  | "unsafe_deserialization"
  | "raw_socket"
  | "cloud_metadata"
  | "proc_sys_access"
  | "container_escape"
  | "privilege_escalation"
  | "host_secret_read"
  | "path_traversal"
  | "destructive_command"
  | "system_path_write"
  | "remote_code_download"
  | "persistence"
  | "process_kill"
  | "network_exfiltration"
  | "system_recon"
  | "sql_injection";

interface ClassRule {
  readonly id: SandboxPatternClass;
  readonly severity: Severity;
  /** Lowercase substrings; the class is tested only if one occurs in the text, ignoring case. */
  readonly keywords: readonly string[];
  readonly patterns: readonly RegExp[];
  /** Extra procedural test (variable indirection and the like). */
  readonly test?: (text: string) => boolean;
}

// A path that starts at a system directory: not preceded by a word character or by another path
// segment (so `project/etc/x` and `example.com/etc` do not count; `../etc` does).
const SYS_DIR = "(?:etc|root|boot|bin|sbin|lib|lib32|lib64|libx32|usr|proc|sys|dev(?!/(?:null|zero|u?random|stdin|stdout|stderr|tty|fd/|shm)))";
const AT_ROOT = "(?<![\\w~\\-]|[\\w\\-]/)";
const SYS_PATH = `${AT_ROOT}/${SYS_DIR}(?=/|\\b)`;
// Deleting also counts under /var's system areas (logs: covering tracks) and other users' homes.
const RM_PATH = `${AT_ROOT}/(?:${SYS_DIR}|var/(?:log|lib|spool|backups|mail)|home)(?=/|\\b)`;
// Directories whose listing is reconnaissance of the host rather than of the sandbox's own files.
const RECON_DIR = "/(?:(?:etc|root|var|usr|opt|bin|sbin|lib\\w*|boot|proc|sys|dev|home|srv|mnt|media)(?:/[\\w.-]+)*)?/?";

/** Names assigned a system path, e.g. `dest="/usr/copy"`, so `cp x "$dest"` can be resolved. */
function systemPathVariables(text: string, path: string = SYS_PATH): string[] {
  const names: string[] = [];
  const re = new RegExp(`\\b([A-Za-z_]\\w{0,40})\\s{0,3}=\\s{0,3}["']?${path}`, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && names.length < 16) names.push(m[1]!);
  return names;
}

function usesVariable(text: string, names: readonly string[], before: string): boolean {
  for (const n of names) {
    if (new RegExp(`${before}["']?\\$\\{?${n}\\b`).test(text)) return true;
  }
  return false;
}

const RULES: readonly ClassRule[] = [
  {
    id: "os_shell",
    severity: "high",
    keywords: ["system", "popen", "subprocess", "spawn", "exec", "child_process", "pty", "commands.", "/sh", "bash", "zsh", "powershell", "cmd", "$(", "`", "os'", 'os"', "deno.", "bun.", "processbuilder", "shell"],
    patterns: [
      /\bos\.(?:system|popen[234]?|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|forkpty)\s*\(/,
      /\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)\b/,
      /\b(?:import\s+(?:subprocess|pty|commands)\b|from\s+(?:subprocess|pty)\s+import\b|from\s+os\s+import\s+[^\n]*\b(?:system|popen|exec\w*|spawn\w*)\b)/,
      /__import__\s*\(\s*['"](?:os|subprocess|pty|commands)['"]/,
      /importlib\.import_module\s*\(\s*['"](?:os|subprocess|pty)['"]/,
      /\bpty\.spawn\s*\(|\bcommands\.getoutput\s*\(/,
      /require\s*\(\s*['"](?:node:)?child_process['"]\s*\)|from\s+['"](?:node:)?child_process['"]/,
      /\b(?:execSync|spawnSync|execFileSync)\s*\(|\bchild_process\.(?:exec|spawn|execFile|fork)\w*\s*\(/,
      /\bDeno\.(?:run|Command)\b|\bBun\.spawn(?:Sync)?\s*\(|\bprocess\.binding\s*\(\s*['"]spawn_sync/,
      /\bKernel\.(?:exec|system|spawn)\b|\bIO\.popen\b|%x\{|\bOpen3\./,
      /\b(?:shell_exec|passthru|proc_open|pcntl_exec)\s*\(|\bsystem\s*\(\s*["'`$]/i,
      /\bRuntime\.getRuntime\(\)\.exec\s*\(|\bnew\s+ProcessBuilder\s*\(|\bexec\.Command\s*\(/,
      /@\{\[\s*system\b/,
      // Spawned shells (a shebang is not a spawn).
      /(?<!#!\s{0,3})(?<![\w/.-])(?:\/usr)?\/bin\/(?:ba|z|da|k|c|tc)?sh\b(?!\w)(?=\s+-[ic]\b|['"\s]*[,)\]]|\s*$|\s*<|\s+-i)/,
      /(?<![\w-])(?:ba|z|da|k)?sh\s+-c\s+["'$]/,
      /(?<![\w-])bash\s+-i\b|\bpowershell(?:\.exe)?\s+-(?:c|command|enc|encodedcommand|e)\b|\bcmd(?:\.exe)?\s+\/[ck]\b/i,
      // Command-substitution payloads.
      /\$\(\s*(?:touch|rm|curl|wget|nc|ncat|bash|sh|zsh|python\d?|perl|ruby|php|id|whoami|uname|chmod|chown|mkfifo)\b[^)]{0,200}\)/,
      /`\s*(?:touch|rm|ls|curl|wget|nc|bash|sh|id|whoami|uname|cat\s+\/)\b[^`\n]{0,120}`/,
    ],
  },
  {
    id: "dynamic_eval",
    severity: "high",
    keywords: ["eval", "exec", "compile", "function", "__", "importlib", "settimeout", "source"],
    patterns: [
      /(?<![.\w])eval\s*\(/,
      /(?<![.\w])exec\s*\(\s*(?:open|compile|base64|codecs|bytes|zlib|marshal|requests|urllib|input|\w+\.read|["'rbf]|\w+\s*\))/,
      /(?<![.\w])compile\s*\([^)]{0,300}['"](?:exec|eval|single)['"]/,
      /\bnew\s+Function\s*\(|(?<![.\w])Function\s*\(\s*['"`]/,
      /\bset(?:Timeout|Interval)\s*\(\s*['"`]/,
      /\b__import__\s*\(/,
      /\bimportlib\.import_module\s*\(/,
      /\b__(?:builtins|subclasses|globals|mro|code|bases)__\b/,
      // Shell: eval of a variable or substitution, sourcing a process substitution.
      /(?<![\w-])eval\s+["']?\$/,
      /(?<![\w-])(?:source|\.)\s+<\(/,
    ],
  },
  {
    id: "unsafe_deserialization",
    severity: "high",
    keywords: ["pickle", "marshal", "yaml", "shelve", "dill", "objectinputstream", "unserialize", "binaryformatter"],
    patterns: [
      /\b(?:c?pickle|dill|_pickle|cloudpickle|joblib)\.loads?\s*\(/,
      /\bmarshal\.loads?\s*\(/,
      /\byaml\.(?:unsafe_load|load_all|full_load)\s*\(|\byaml\.load\s*\((?![^)]*SafeLoader)/,
      /\bjsonpickle\.decode\s*\(|\bshelve\.open\s*\(/,
      /\bnew\s+ObjectInputStream\b|\bunserialize\s*\(|\bMarshal\.load\b|\bBinaryFormatter\b/,
    ],
  },
  {
    id: "raw_socket",
    severity: "high",
    keywords: ["socket", "/dev/tcp", "/dev/udp", "nc ", "ncat", "netcat", "socat", "telnet", "net.", "dgram", "scapy", "fsockopen", "tcpsocket", "open_connection"],
    patterns: [
      /\bsocket\.(?:socket|create_connection|create_server|fromfd|socketpair)\s*\(/,
      /\bSOCK_(?:RAW|STREAM|DGRAM)\b|\bAF_PACKET\b/,
      /\bsocketserver\.\w*(?:Server|Handler)\b|\basyncio\.open_connection\s*\(/,
      /\bnet\.(?:Socket|connect|createConnection|createServer)\s*\(|\bdgram\.createSocket\s*\(|\bnew\s+net\.Socket\b/,
      /\/dev\/(?:tcp|udp)\//,
      /(?<![\w-])(?:nc|ncat|netcat)(?:\.exe)?\s+(?:-[a-zA-Z0-9]+\s+)*(?:-[elp]\b|(?:\d{1,3}\.){3}\d{1,3}|localhost|[\w-]+\.[\w.-]+\s+\d{2,5})/,
      /(?<![\w-])(?:socat|telnet)\s+\S/,
      /\bfrom\s+scapy\b|\bimport\s+scapy\b|\bfsockopen\s*\(|\bTCPSocket\.new\b/,
    ],
  },
  {
    id: "cloud_metadata",
    severity: "critical",
    keywords: ["169.254", "metadata", "security-credentials", "instanceid", "100.100.100.200", "fd00:ec2", "2852039166", "0xa9fe", "a9fe:a9fe", "0251.0376"],
    patterns: [
      /169\.254\.169\.254|169\.254\.170\.2\b|100\.100\.100\.200|fd00:ec2::254/,
      /\bmetadata\.google\.internal\b|\bmetadata\.azure\.com\b|\/computeMetadata\/v1|\/latest\/(?:meta-data|user-data|api\/token)|\/metadata\/(?:instance|identity)\b/,
      /\b2852039166\b|0xa9fea9fe|0251\.0376\.0251\.0376|::ffff:a9fe:a9fe/i,
      // A metadata service's answer: instance identity or role credentials.
      /\biam\/security-credentials\/|"(?:instanceId|imageId|accountId)"\s*:[^}]{0,400}"(?:region|availabilityZone)"/,
    ],
  },
  {
    id: "proc_sys_access",
    severity: "high",
    keywords: ["/proc", "/sys", "/dev/"],
    patterns: [
      new RegExp(`${AT_ROOT}/proc(?:/|\\b)(?!\\w)|${AT_ROOT}/proc/[\\w.-]+`),
      new RegExp(`${AT_ROOT}/sys(?:/(?:kernel|fs|class|devices|firmware|module|power|bus|block|dev)\\b|/?(?=["'\\s;)]|$))`),
      /(?<![\w~-]|[\w-]\/)\/dev\/(?:mem|kmem|port|sd[a-z]|nvme\d|xvd[a-z]|vd[a-z]|hd[a-z]|disk\d|loop\d|mapper|kvm|fuse|mmcblk\d)\b|(?<![\w~-]|[\w-]\/)\/dev\/?(?=["'\s;)]|$)/,
    ],
  },
  {
    id: "container_escape",
    severity: "critical",
    keywords: ["docker.sock", "nsenter", "release_agent", "notify_on_release", "sysrq", "chroot", "unshare", "--privileged", "/proc/1/root", "kubectl", "cgroup", "mount "],
    patterns: [
      /\/(?:var\/)?run\/docker\.sock|\bnsenter\b|\brelease_agent\b|\bnotify_on_release\b|\/proc\/sysrq-trigger|\/proc\/1\/root/,
      /\bchroot\s+\/|\bunshare\s+-[a-zA-Z]*[mUrp]/,
      /\bdocker\s+run\b[^\n]{0,200}(?:--privileged|-v\s*\/:\/|--pid[= ]host|--cap-add[= ](?:ALL|SYS_ADMIN))/,
      /\bmount\s+[^\n]{0,100}(?:-t\s+(?:cgroup|proc|sysfs)|\/dev\/(?:sd|nvme|xvd|vd)|--bind\s+\/\s)/,
      /\bkubectl\s+(?:exec|run|debug|cp)\b/,
    ],
  },
  {
    id: "privilege_escalation",
    severity: "critical",
    keywords: ["uid=0", "sudo", "su ", "su\n", "chmod", "chown", "setuid", "seteuid", "setgid", "pkexec", "doas", "sudoers", "nopasswd", "visudo", "setcap", "capsh", "useradd", "usermod", ":0:0:", "passwd"],
    patterns: [
      /(?<![\w-])sudo\s+(?!-[lhV]\b)\S/,
      /(?<![\w-])su(?:\s+-|\s+root\b|\s+-c\b|\s*$)/m,
      /\bchmod\s+(?:-\w+\s+)*(?:[ugoa]*\+[rwx]*s|[2467][0-7]{3})\b/,
      /\bchown\s+(?:-\w+\s+)*root\b/,
      /\bos\.set(?:e?uid|e?gid|resuid|resgid)\s*\(\s*0\s*\)|(?<![.\w])set(?:e?uid|e?gid)\s*\(\s*0\s*\)/,
      /\bpkexec\b|(?<![\w-])doas\s+\S|\bvisudo\b|\bNOPASSWD\b|\bsetcap\s+\S|\bcapsh\b/,
      // Output of `id` / `whoami` run as root inside the sandbox.
      /\buid=0\(root\)/,
      /\/etc\/sudoers/,
      /\buseradd\b[^\n]{0,100}-(?:o\b|u\s*0\b|G\s*(?:sudo|wheel|root|admin))|\busermod\s+-a?G\s*(?:sudo|wheel|root|admin|docker)\b/,
      new RegExp(`(?:>>?\\s*["']?|open\\s*\\(\\s*["'])${AT_ROOT}/etc/(?:passwd|shadow|group)\\b`),
    ],
  },
  {
    id: "host_secret_read",
    severity: "critical",
    keywords: [":0:0:", "/etc/", ".ssh", "cookie", "id_rsa", "id_ed25519", "id_ecdsa", ".aws", "gcloud", "application_default", ".azure", ".kube", ".docker", ".netrc", ".git-credentials", ".pgpass", ".npmrc", ".pypirc", ".env", "secrets", "/root", ".gnupg", "history", "keychain", "login data", "wallet.dat", "environ", "printenv", "process.env", "passwd", "shadow", "/var/log", "/var/lib/pam", ":$"],
    patterns: [
      new RegExp(`${AT_ROOT}/etc/(?:shadow|gshadow|sudoers(?:\\.d)?|master\\.passwd|passwd|group|security/|pam\\.d|ssh/|ssl/private|krb5\\.keytab)`),
      /(?:^|[\s"'=/:(])(?:passwd|shadow|gshadow)(?:\.master|\.bak|-)?(?=$|[\s"'`;)])|\bbase-passwd\//,
      /\.ssh\/(?:id_\w+|authorized_keys|known_hosts|config)\b|\bid_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?\b/,
      /\.aws\/(?:credentials|config)\b|\.config\/gcloud\b|application_default_credentials\.json|\.azure\/|\.kube\/config\b|\.docker\/config\.json|(?<![\w-])\.netrc\b|\.git-credentials\b|\.pgpass\b|(?<![\w-])\.(?:npmrc|pypirc)\b/,
      /(?:^|[\s"'=/(])\.env(?:\.(?:local|production|prod|development|dev|staging))?(?=$|[\s"'`;)])/,
      /\/(?:var\/)?run\/secrets\b|\.gnupg\/|\.(?:bash|zsh|sh|python|mysql|psql)_history\b|login\.keychain|\bLogin Data\b|\bwallet\.dat\b/,
      // Browser and HTTP-client cookie stores hold live session credentials.
      /\bcookies\.(?:txt|sqlite|pkl|json)\b|\bMozillaCookieJar\b|\bbrowser_cookie3\b|\bCookies\b["']?\s*\)|\/(?:Chrome|Chromium|Firefox)\/[^\s"']*(?:Cookies|cookies\.sqlite)/,
      new RegExp(`${AT_ROOT}/root(?:/|\\b)`),
      new RegExp(`${AT_ROOT}/var/log/(?:auth\\.log|secure|btmp|wtmp|lastlog|faillog|sudo\\.log)|${AT_ROOT}/var/lib/pam\\b`),
      /\bprintenv\b(?!\s+\w)|(?<![\w-])env\s*(?:$|[|>])|\bos\.environ\b(?!\s*(?:\.get|\[|\.setdefault|\.copy\(\)\s*$))|\bdict\(\s*os\.environ\s*\)|JSON\.stringify\(\s*process\.env\s*\)|\bprocess\.env\s*\)/m,
      // Content of the account files: a passwd line for uid 0, a shadow line with a password hash.
      /\b\w+:[x*!]?:0:0:/,
      /\b\w+:\$(?:1|2[aby]?|5|6|y)\$[^:\s]{8,}:/,
    ],
  },
  {
    id: "path_traversal",
    severity: "high",
    keywords: ["..", "%2e", "%252e"],
    patterns: [
      /(?:\.\.[\\/]){1,12}(?:etc|root|proc|sys|var|boot|home\/[^/\s]+\/\.ssh|windows|winnt|system32)\b/i,
      /(?:\.\.[\\/]){4}/,
      /%2e%2e(?:%2f|%5c|\/|\\)|\.\.%2f|%252e%252e|\.\.;\//i,
    ],
  },
  {
    id: "destructive_command",
    severity: "critical",
    keywords: ["rm ", "rm\t", "rmtree", "remove", "unlink", "rmdir", "mkfs", "dd ", "shred", "wipefs", ":|:", "drop ", "truncate", "delete", "update ", "format", "shutdown", "reboot", "halt", "poweroff", "kill", "chmod", "chown", "systemctl", "> /dev/"],
    patterns: [
      /(?<![\w-])rm\s+(?:-[a-zA-Z-]+\s+)*(?:--no-preserve-root\s+)*["']?(?:\/\*?|~\/?\*?|\$HOME\/?\*?|\.\/?\*|\*)["']?(?=\s|$|[;&|"')])/,
      new RegExp(`(?<![\\w-])rm\\s+(?:-[a-zA-Z-]+\\s+)*["']?${RM_PATH}`),
      new RegExp(`\\bshutil\\.rmtree\\s*\\(\\s*[rbf]?["'](?:/["']|${SYS_PATH}|~|/home\\b)`),
      new RegExp(`\\bos\\.(?:remove|unlink|rmdir|removedirs)\\s*\\(\\s*[rbf]?["']${RM_PATH}`),
      /(?<![\w-])mkfs(?:\.\w+)?\s|\bdd\s+[^\n]{0,100}\bof=\/dev\/(?:sd|nvme|hd|xvd|vd|disk|mmcblk)|>\s*\/dev\/(?:sd[a-z]|nvme\d|xvd[a-z]|vd[a-z])\b/,
      /:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/,
      /(?<![\w-])(?:shred|wipefs)\s+-?\S/,
      /\bchmod\s+-R\s+0?[0-7]{3}\s+\/(?:\s|$)|\bchown\s+-R\s+\S+\s+\/(?:\s|$)/,
      /(?:^|[;&|(`]\s*|\bsudo\s+|["']\s*|\$\(\s*)(?:shutdown|reboot|halt|poweroff|init\s+0|telinit\s+0)\b(?=\s+-\w|\s+now\b|\s*$|\s*["'`;&|)])/m,
      /\bkill\s+-(?:9|KILL|SIGKILL)\s+-1\b|\bsystemctl\s+(?:stop|disable|mask|kill)\s+\S/,
      /\bDROP\s+(?:TABLE|DATABASE|SCHEMA|USER|VIEW|INDEX)\b/i,
      /\bTRUNCATE\s+(?:TABLE\s+)?[\w."`[\]]+\s*(?:;|$|["')])/im,
      /\bDELETE\s+FROM\s+[\w."`[\]]+\s*(?:;|$|["')]|--)/im,
      /\bUPDATE\s+[\w."`[\]]+\s+SET\s+(?:(?!\bWHERE\b)[^;"'\n]){1,200}(?:;|$)/im,
    ],
    test: (text) => {
      const vars = systemPathVariables(text, RM_PATH);
      return vars.length > 0 && usesVariable(text, vars, "(?<![\\w-])rm\\s+(?:-[a-zA-Z-]+\\s+)*");
    },
  },
  {
    id: "system_path_write",
    severity: "high",
    keywords: [">", "cp ", "mv ", "tee", "install", "ln ", "wget", "curl", "open(", "mkdir", "makedirs", "chmod", "write"],
    patterns: [
      new RegExp(`>>?\\s*["']?${SYS_PATH}/`),
      new RegExp(`(?<![\\w-])(?:cp|mv|install|ln|tee)\\s+(?:-[a-zA-Z-]+\\s+)*(?:["']?[^\\s;|&]+["']?\\s+)+["']?${SYS_PATH}/[^\\s"';|&]*["']?\\s*(?:$|[;&|\\n])`, "m"),
      new RegExp(`(?<![\\w-])tee\\s+(?:-a\\s+)?["']?${SYS_PATH}/`),
      new RegExp(`\\bwget\\s+[^\\n]{0,200}-O\\s*["']?${SYS_PATH}/|\\bcurl\\s+[^\\n]{0,200}-o\\s*["']?${SYS_PATH}/`),
      new RegExp(`\\bopen\\s*\\(\\s*[rbf]?["']${SYS_PATH}/[^"']*["']\\s*,\\s*[rbf]?["'][wax]`),
      new RegExp(`\\bos\\.(?:mkdir|makedirs|rename|replace|symlink|chmod)\\s*\\(\\s*[rbf]?["']${SYS_PATH}/|\\bshutil\\.(?:copy\\w*|move)\\s*\\([^)]{0,200},\\s*[rbf]?["']${SYS_PATH}/`),
    ],
    test: (text) => {
      const vars = systemPathVariables(text);
      if (vars.length === 0) return false;
      return (
        usesVariable(text, vars, ">>?\\s*") ||
        usesVariable(text, vars, "(?<![\\w-])(?:cp|mv|install|ln)\\s+(?:-[a-zA-Z-]+\\s+)*[^\\n;|&]*\\s") ||
        usesVariable(text, vars, "(?<![\\w-])tee\\s+(?:-a\\s+)?")
      );
    },
  },
  {
    id: "remote_code_download",
    severity: "high",
    keywords: ["curl", "wget", "urlretrieve", "urlopen", "requests.", "iwr", "invoke-webrequest", "invoke-expression", "iex", "downloadstring", "certutil", "bitsadmin", "http.request", "fetch("],
    patterns: [
      /\b(?:curl|wget)\b[^\n|;]{0,300}\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/,
      /\b(?:curl|wget)\b[^\n|;]{0,300}\|\s*(?:sudo\s+)?(?:python\d?|perl|ruby|node|php)\b/,
      /\b(?:curl|wget)\b[^\n;|]{0,300}https?:\/\/\S+\.(?:py|sh|pl|rb|exe|bin|elf|so|jar|ps1|bat|msi|dll|apk)\b/,
      /\burllib\.request\.urlretrieve\s*\(|\bwget\.download\s*\(/,
      /\b(?:Invoke-WebRequest|iwr|Invoke-RestMethod|irm)\b[^\n]{0,200}\|\s*(?:iex|Invoke-Expression)\b|\bIEX\s*\(|\bDownloadString\s*\(|\bcertutil(?:\.exe)?\s+-urlcache\b|\bbitsadmin\s+\/transfer\b/i,
    ],
    test: (text) =>
      /\b(?:requests\.get|urlopen|urllib\d?\.|http\.request|fetch\(|httpx\.get|aiohttp)/.test(text) &&
      /(?<![.\w])exec\s*\(|\bos\.system\s*\(\s*[f]?["']python|\bsubprocess\.\w+\([^)]{0,100}(?:python|\.\/|chmod)|\bchmod\s+\+x\b/.test(text),
  },
  {
    id: "persistence",
    severity: "high",
    keywords: ["bashrc", "profile", "zshrc", "bash_login", "rc.local", "init.d", "cron", "systemd", "authorized_keys", "alias ", "ld_preload", "ld.so.preload", "launchctl", "schtasks", "currentversion\\run", "systemctl enable"],
    patterns: [
      /(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?(?:~|\$HOME|\/root|\/home\/[^/\s]+)?\/?\.(?:bashrc|bash_profile|profile|zshrc|zprofile|bash_login|bash_logout|zlogin)\b/,
      /\bopen\s*\([^)]{0,120}\.(?:bashrc|bash_profile|profile|zshrc)["'][^)]{0,20}["'][aw]/,
      /(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?\/etc\/(?:profile|bash\.bashrc|environment|rc\.local|init\.d\/|cron|crontab|systemd\/system\/|ld\.so\.preload)/,
      /\bcrontab\s+(?!-l\b)(?:-\w+\s+)*[\w/.-]|\(\s*crontab\s+-l[^)]*\)\s*\|\s*crontab\b|\/etc\/cron\.\w+\//,
      /(?:>>?|\btee\s+(?:-a\s+)?)\s*["']?[^\s"']*authorized_keys\b/,
      /(?<![\w-])alias\s+(?:sudo|ls|cd|cp|mv|rm|chmod|chown|grep|find|apt-get|apt|yum|git|ssh|cat|su|python3?|pip3?)=/,
      /\bLD_PRELOAD=|\/etc\/ld\.so\.preload|\bsystemctl\s+enable\b|\blaunchctl\s+load\b|\bschtasks\s+\/create\b|CurrentVersion\\Run\b/i,
    ],
  },
  {
    id: "process_kill",
    severity: "high",
    keywords: ["kill", "terminate"],
    patterns: [
      /(?<![\w-])(?:pkill|killall)\s+(?:-\w+\s+)*\S/,
      /(?<![\w-])kill\s+(?:-(?:9|KILL|SIGKILL|15|TERM|SIGTERM)\s+)?(?:1\b|-1\b|\$\(\s*(?:pgrep|pidof)\b|`(?:pgrep|pidof)\b)/,
      /\bos\.killpg\s*\(|\bos\.kill\s*\(\s*(?:1|-1|0)\s*,/,
    ],
    // Killing processes picked by enumerating the process table.
    test: (text) =>
      /\bps\s+(?:-\w*e\w*|aux|-A|ax)\b|\bpgrep\b|\bpidof\b|\bprocess_iter\s*\(|\/proc\/[^/\s]+\/cmdline|\bpsutil\.pids\s*\(/.test(text) &&
      /(?<![\w-])kill\s+(?:-\S+\s+)?["$]|\bos\.kill\s*\(|\.(?:kill|terminate)\s*\(\s*\)|\.send_signal\s*\(/.test(text),
  },
  {
    id: "network_exfiltration",
    severity: "high",
    keywords: ["post", "put", "patch", "smtp", "sendmail", "send_message", "ftp", "stor", "paramiko", "scp", "sftp", "publish", "mqtt", "bluetooth", "--data", " -d ", " -f ", " -t ", "--form", "--upload", "rsync", "sendbeacon", "mail "],
    patterns: [
      /\b(?:requests|httpx|session|client|aiohttp|s)\.(?:post|put|patch)\s*\(/,
      /\burllib\d?\.request\.Request\s*\([^)]{0,300}\bdata\s*=|\.request\s*\(\s*["'](?:POST|PUT|PATCH)["']/,
      /\b(?:smtplib|aiosmtplib|secure_smtplib)\.SMTP(?:_SSL)?\s*\(|\byagmail\.SMTP\s*\(|\.(?:sendmail|send_message)\s*\(/,
      /\.(?:storbinary|storlines)\s*\(|\bftplib\.FTP(?:_TLS)?\b|\bparamiko\.(?:SSHClient|Transport|SFTPClient)\b|\bSCPClient\s*\(|\.put\s*\([^)]{0,200}remote_path/,
      /\bpublish\.single\s*\(|\bmqtt\.Client\s*\(|\bBluetoothSocket\s*\(/,
      /\baxios\.(?:post|put|patch)\s*\(|\bfetch\s*\([^)]{0,300}method\s*:\s*["'](?:POST|PUT|PATCH)|\bnavigator\.sendBeacon\s*\(/,
      /(?<![\w-])curl\b[^\n|;]{0,300}(?:\s-d\b|\s--data(?:-binary|-raw|-urlencode|-ascii)?\b|\s-F\b|\s--form\b|\s-T\b|\s--upload-file\b|\s-X\s*(?:POST|PUT|PATCH)\b)/,
      /(?<![\w-])wget\b[^\n|;]{0,300}--post-(?:data|file)\b|(?<![\w-])(?:scp|rsync)\s+[^\n;|]{0,200}\s[\w.-]+@[\w.-]+:|(?<![\w-])(?:sendmail|mail\s+-s)\b/,
    ],
  },
  {
    id: "system_recon",
    severity: "low",
    keywords: ["ls", "dir", "tree", "find", "du ", "listdir", "scandir", "walk", "glob"],
    patterns: [
      new RegExp(`(?<![\\w-])(?:ls|dir|tree|find|du)\\s+(?:-[\\w-]+\\s+)*["']?${RECON_DIR}["']?(?=\\s*$|\\s*[;|&)\`]|\\s+-)`, "m"),
      new RegExp(`\\bos\\.(?:listdir|scandir|walk)\\s*\\(\\s*[rbf]?["']${RECON_DIR}["']|\\bglob\\.i?glob\\s*\\(\\s*[rbf]?["']/(?:etc|root|var|usr|opt|boot|proc|sys|home)\\b`),
    ],
  },
  {
    id: "sql_injection",
    severity: "high",
    keywords: ["'", "union", "@@version", "xp_cmdshell", "sleep(", "waitfor", "benchmark("],
    patterns: [
      /'\s*(?:OR|AND)\s+['"]?\w+['"]?\s*=\s*['"]?\w+['"]?\s*(?:--|#|;|\/\*)|'\s*OR\s+'[^']*'\s*=\s*'/i,
      /'\s*UNION\s+(?:ALL\s+)?SELECT\b/i,
      /';\s*(?:shutdown|drop|insert|update|delete|exec|declare|create|alter)\b/i,
      /@@version\b|\bxp_cmdshell\b|\bWAITFOR\s+DELAY\b|\bSLEEP\s*\(\s*\d+\s*\)|\bBENCHMARK\s*\(\s*\d{4,}/i,
      /\bEXEC\s*\(\s*'[^']{0,20}'\s*\+/i,
      // A value that opens with a quote and then SQL: breaking out of a string literal.
      /^\s*'\s*;?\s*(?:insert|update|delete|drop|select|union|exec|or|and)\b/im,
    ],
  },
];

export const SANDBOX_PATTERN_CLASSES: readonly SandboxPatternClass[] = RULES.map((r) => r.id);

/** Every rule's keywords, found in one pass over the string (keyword-automaton.ts). */
const KEYWORDS: readonly string[] = [...new Set(RULES.flatMap((r) => r.keywords))];
const KEYWORD_AUTOMATON = new KeywordAutomaton(KEYWORDS);
const keywordFound = new Uint8Array(KEYWORDS.length);
const RULE_KEYWORDS: readonly (readonly number[])[] = RULES.map((r) => r.keywords.map((k) => KEYWORDS.indexOf(k)));

// What a tool returned is content, not code that ran: a search result quoting `eval(` or a README
// showing `rm -rf` is not an escape. Results and errors are therefore checked only for classes whose
// patterns are evidence about the host itself (a secret file's content or path, metadata
// endpoints, /proc, container internals, root privileges, traversal).
const RESULT_CLASSES: ReadonlySet<SandboxPatternClass> = new Set([
  "host_secret_read",
  "cloud_metadata",
  "proc_sys_access",
  "container_escape",
  "privilege_escalation",
  "path_traversal",
]);

/**
 * Pattern classes present in one string. `part` is where the string came from: tool arguments get
 * every class; results and error text only the host-evidence classes (RESULT_CLASSES).
 */
export function scanSandboxEscape(raw: string, part: "arguments" | "result" = "arguments"): PatternHit[] {
  if (raw.length < 2) return [];
  const text = softUnescape(raw);
  keywordFound.fill(0);
  if (KEYWORD_AUTOMATON.scan(text, keywordFound).hits === 0) return [];
  const hits: PatternHit[] = [];
  for (let r = 0; r < RULES.length; r++) {
    const rule = RULES[r]!;
    if (part === "result" && !RESULT_CLASSES.has(rule.id)) continue;
    let gate = false;
    for (const k of RULE_KEYWORDS[r]!) {
      if (keywordFound[k] === 1) {
        gate = true;
        break;
      }
    }
    if (!gate) continue;
    let hit = false;
    for (const p of rule.patterns) {
      if (p.test(text)) {
        hit = true;
        break;
      }
    }
    if (!hit && rule.test !== undefined) hit = rule.test(text);
    if (hit) hits.push({ signature: rule.id, severity: rule.severity });
  }
  return hits;
}
