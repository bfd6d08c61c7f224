package stix

// The open vocabularies of STIX 2.1 section 10 ("-ov"), and which properties
// use them. A value outside an open vocabulary is allowed — the producer may
// have no suitable value — but STIX 2.1 says it SHOULD come from the
// vocabulary where one fits, so the hub reports it as a warning (see
// Warnings), never a violation. Which property uses which vocabulary is
// written in the type tables of spec.go (prop.ov); the closed "-enum"
// vocabularies are there too, and enforced. The lists transcribe the specification text; the
// OASIS reference validator (cti-stix-validator, v21/enums.py) holds the same.

// vocab is one open vocabulary.
type vocab struct {
	name   string // as the specification names it, e.g. "indicator-type-ov"
	values map[string]bool
}

func newVocab(name string, values ...string) *vocab {
	v := &vocab{name: name, values: make(map[string]bool, len(values))}
	for _, s := range values {
		v.values[s] = true
	}
	return v
}

var (
	accountTypeOV = newVocab("account-type-ov",
		"facebook", "ldap", "nis", "openid", "radius", "skype", "tacacs", "twitter", "unix", "windows-local",
		"windows-domain", "kavi")
	attackMotivationOV = newVocab("attack-motivation-ov",
		"accidental", "coercion", "dominance", "ideology", "notoriety", "organizational-gain", "personal-gain",
		"personal-satisfaction", "revenge", "unpredictable")
	attackResourceLevelOV = newVocab("attack-resource-level-ov",
		"individual", "club", "contest", "team", "organization", "government")
	groupingContextOV = newVocab("grouping-context-ov", "suspicious-activity", "malware-analysis", "unspecified")
	hashAlgorithmOV   = newVocab("hash-algorithm-ov",
		"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH")
	identityClassOV = newVocab("identity-class-ov",
		"individual", "group", "system", "organization", "class", "unknown")
	implementationLanguageOV = newVocab("implementation-language-ov",
		"applescript", "bash", "c", "c++", "c#", "go", "java", "javascript", "lua", "objective-c", "perl", "php",
		"powershell", "python", "ruby", "scala", "swift", "typescript", "visual-basic", "x86-32", "x86-64")
	indicatorTypeOV = newVocab("indicator-type-ov",
		"anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity", "attribution", "unknown")
	industrySectorOV = newVocab("industry-sector-ov",
		"agriculture", "aerospace", "automotive", "chemical", "commercial", "communications", "construction",
		"defense", "education", "energy", "entertainment", "financial-services", "government",
		"emergency-services", "government-local", "government-national", "government-public-services",
		"government-regional", "healthcare", "hospitality-leisure", "infrastructure", "dams", "nuclear", "water",
		"insurance", "manufacturing", "mining", "non-profit", "pharmaceuticals", "retail", "technology",
		"telecommunications", "transportation", "utilities")
	infrastructureTypeOV = newVocab("infrastructure-type-ov",
		"amplification", "anonymization", "botnet", "command-and-control", "control-system", "exfiltration",
		"firewall", "hosting-malware", "hosting-target-lists", "phishing", "reconnaissance", "routers-switches",
		"staging", "workstation", "unknown")
	malwareResultOV       = newVocab("malware-result-ov", "malicious", "suspicious", "benign", "unknown")
	malwareCapabilitiesOV = newVocab("malware-capabilities-ov",
		"accesses-remote-machines", "anti-debugging", "anti-disassembly", "anti-emulation",
		"anti-memory-forensics", "anti-sandbox", "anti-vm", "captures-input-peripherals",
		"captures-output-peripherals", "captures-system-state-data", "cleans-traces-of-infection",
		"commits-fraud", "communicates-with-c2", "compromises-data-availability", "compromises-data-integrity",
		"compromises-system-availability", "controls-local-machine", "degrades-security-software",
		"degrades-system-updates", "determines-c2-server", "emails-spam", "escalates-privileges", "evades-av",
		"exfiltrates-data", "fingerprints-host", "hides-artifacts", "hides-executing-code", "infects-files",
		"infects-remote-machines", "installs-other-components", "persists-after-system-reboot",
		"prevents-artifact-access", "prevents-artifact-deletion", "probes-network-environment",
		"self-modifies", "steals-authentication-credentials", "violates-system-operational-integrity")
	malwareTypeOV = newVocab("malware-type-ov",
		"adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper", "exploit-kit", "keylogger",
		"ransomware", "remote-access-trojan", "resource-exploitation", "rogue-security-software", "rootkit",
		"screen-capture", "spyware", "trojan", "unknown", "virus", "webshell", "wiper", "worm")
	patternTypeOV           = newVocab("pattern-type-ov", "stix", "pcre", "sigma", "snort", "suricata", "yara")
	processorArchitectureOV = newVocab("processor-architecture-ov",
		"alpha", "arm", "ia-64", "mips", "powerpc", "sparc", "x86", "x86-64")
	regionOV = newVocab("region-ov",
		"africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa", "western-africa",
		"americas", "latin-america-caribbean", "south-america", "caribbean", "central-america",
		"northern-america", "asia", "central-asia", "eastern-asia", "southern-asia", "south-eastern-asia",
		"western-asia", "europe", "eastern-europe", "northern-europe", "southern-europe", "western-europe",
		"oceania", "australia-new-zealand", "melanesia", "micronesia", "polynesia", "antarctica")
	reportTypeOV = newVocab("report-type-ov",
		"attack-pattern", "campaign", "identity", "indicator", "intrusion-set", "malware", "observed-data",
		"threat-actor", "threat-report", "tool", "vulnerability")
	threatActorTypeOV = newVocab("threat-actor-type-ov",
		"activist", "competitor", "crime-syndicate", "criminal", "hacker", "insider-accidental",
		"insider-disgruntled", "nation-state", "sensationalist", "spy", "terrorist", "unknown")
	threatActorRoleOV = newVocab("threat-actor-role-ov",
		"agent", "director", "independent", "infrastructure-architect", "infrastructure-operator",
		"malware-author", "sponsor")
	threatActorSophisticationOV = newVocab("threat-actor-sophistication-ov",
		"none", "minimal", "intermediate", "advanced", "expert", "innovator", "strategic")
	toolTypeOV = newVocab("tool-type-ov",
		"denial-of-service", "exploitation", "information-gathering", "network-capture",
		"credential-exploitation", "remote-access", "vulnerability-scanning", "unknown")
	windowsPEBinaryTypeOV = newVocab("windows-pebinary-type-ov", "exe", "dll", "sys")
)
