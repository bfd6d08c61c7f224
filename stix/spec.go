package stix

// This file holds the type tables of the hub's own validator (validate.go):
// for every STIX 2.1 object type, the kind of each property it defines, which
// are required, the closed vocabularies, and the target types of its reference
// properties. The tables transcribe STIX 2.1 (OASIS Standard, 2021) sections
// 3–7 together with the OASIS JSON schemas (cti-stix2-json-schemas,
// schemas/**), which is what the conformance test holds them to.

// kind is the JSON shape and lexical rule of a property value.
type kind uint8

const (
	kSkip             kind = iota // handled by the object walk itself (type, id, …)
	kAny                          // any non-null value (properties.json)
	kString                       // STIX 2.1 §2.15 string
	kBool                         // §2.2 boolean
	kInt                          // §2.8 integer, with optional bounds
	kNumber                       // §2.11 float, with optional bounds
	kTimestamp                    // §2.16 timestamp, RFC 3339 UTC
	kTimestampMilli               // timestamp with at least millisecond precision (created, modified; §3.2)
	kTimestampSec                 // timestamp without fractional seconds (windows-pebinary-ext time_date_stamp)
	kHex                          // §2.7 hex
	kBinary                       // §2.1 binary (base64)
	kEnum                         // string from a closed vocabulary (§2.6 enumeration)
	kEnumList                     // non-empty list of kEnum
	kRef                          // §2.9 identifier naming an object of allowed types
	kRefList                      // non-empty list of kRef
	kStringList                   // non-empty list of strings
	kHashes                       // §2.7 hashes
	kDict                         // §2.4 dictionary, values per dictKind
	kObject                       // nested object described by sub
	kObjectList                   // non-empty list of nested objects described by sub
	kExternalRefs                 // §2.5 external-reference list
	kKillChains                   // §2.8 kill-chain-phase list
	kGranularMarkings             // §7.2.3 granular-marking list
	kExtensions                   // §3.2 / §7.3 extensions dictionary
)

// dictKind restricts the values of a dictionary.
type dictKind uint8

const (
	dAny          dictKind = iota // non-null, non-empty list (dictionary.json)
	dString                       // strings only
	dStringOrInt                  // strings or integers
	dStringList                   // non-empty lists of strings (http-request-ext request_header)
	dHeader                       // a string, or a list of at least two strings (email additional_header_fields)
	dExif                         // keys ^[A-Z][a-zA-Z0-9_-]+$, values string or integer
	dSocketOption                 // keys SO_…/TCP_…, integer values (socket-ext options)
	dObject                       // values are objects (observed-data objects)
	dLangContents                 // language-content contents: language tag keys, objects keyed by property names (§7.1)
	dStartupInfo                  // STARTUPINFO members (windows-process-ext startup_info)
)

// strRule is a lexical rule on a string value beyond its JSON type. Each is
// hand-written (validate_lex.go): the validator runs on every object at intake.
type strRule uint8

const (
	sNone        strRule = iota
	sIPv4                // ipv4-addr value: dotted quad, optional /prefix
	sIPv6                // ipv6-addr value: RFC 4291 text, optional /prefix
	sMAC                 // mac-addr value: lowercase colon-separated EUI-48
	sMIME                // artifact mime_type: IANA top-level type "/" subtype
	sEnc                 // name_enc, path_enc: IANA character set name
	sCPE                 // software cpe: CPE 2.3 formatted string
	sLanguageTag         // lang, software languages: RFC 5646 language tag
	sRelType             // relationship_type: lowercase, digits, hyphen
	sURL                 // url value: absolute URI with a scheme
	sEmail               // email-addr value: addr-spec with one "@"
	sRegistryKey         // windows-registry-key key: full hive name
	sDomain              // domain-name value: RFC 1034 / RFC 5890 name
)

// prop describes one property of an object type.
type prop struct {
	kind     kind
	required bool
	warn     warnRule // a SHOULD checked by Warnings beyond the kind's own
	rule     strRule
	enum     []string // kEnum, kEnumList
	ref      refRule  // kRef, kRefList
	dict     dictKind // kDict
	sub      *objSpec // kObject, kObjectList
	min, max float64  // bounds of kInt and kNumber when hasMin/hasMax
	hasMin   bool
	hasMax   bool
	vocab    *vocab // the open vocabulary (STIX 2.1 §10) values SHOULD come from, for Warnings
}

func (p prop) req() prop { p.required = true; return p }

// ov names the open vocabulary of a string or string-list property.
func (p prop) ov(v *vocab) prop { p.vocab = v; return p }

// advise adds a SHOULD that Warnings checks on the property.
func (p prop) advise(w warnRule) prop { p.warn = w; return p }

// warnRule selects a SHOULD of Warnings (warning.go) that the kind of a
// property does not imply (kHashes, kKillChains, kGranularMarkings and
// kExtensions imply theirs).
type warnRule uint8

const (
	wNone        warnRule = iota
	wMarkingRefs          // object_marking_refs resolve (§7.2)
	wCountry              // location country: ISO 3166-1 alpha-2 (§4.10)
	wDeprecated           // observed-data objects: deprecated (§4.14)
)

func (p prop) between(lo, hi float64) prop {
	p.min, p.max, p.hasMin, p.hasMax = lo, hi, true, true
	return p
}

func (p prop) atLeast(lo float64) prop { p.min, p.hasMin = lo, true; return p }

func (p prop) with(r strRule) prop { p.rule = r; return p }

var (
	pAny       = prop{kind: kAny}
	pString    = prop{kind: kString}
	pBool      = prop{kind: kBool}
	pInt       = prop{kind: kInt}
	pNumber    = prop{kind: kNumber}
	pTimestamp = prop{kind: kTimestamp}
	pHex       = prop{kind: kHex}
	pBinary    = prop{kind: kBinary}
	pStrings   = prop{kind: kStringList}
	pHashes    = prop{kind: kHashes}
	pKillChain = prop{kind: kKillChains}
)

func pEnum(vals ...string) prop     { return prop{kind: kEnum, enum: vals} }
func pEnumList(vals ...string) prop { return prop{kind: kEnumList, enum: vals} }
func pRef(r refRule) prop           { return prop{kind: kRef, ref: r} }
func pRefs(r refRule) prop          { return prop{kind: kRefList, ref: r} }
func pDict(d dictKind) prop         { return prop{kind: kDict, dict: d} }
func pObject(s *objSpec) prop       { return prop{kind: kObject, sub: s} }
func pObjects(s *objSpec) prop      { return prop{kind: kObjectList, sub: s} }

// refClass names a family of target types for reference properties.
type refClass uint8

const (
	refAny      refClass = iota // any identifier
	refTypes                    // one of types
	refNotTypes                 // any type except types
	refSCO                      // a cyber-observable type, or a custom type
	refSDO                      // a domain object type, or a custom type
	refSCOorSRO                 // observed-data object_refs (§4.14)
)

// refRule says which object types a reference property may name.
type refRule struct {
	class refClass
	types []string
	want  string // "an identity", for messages
}

func refTo(want string, types ...string) refRule {
	return refRule{class: refTypes, types: types, want: want}
}

var (
	anyRef       = refRule{class: refAny, want: "a STIX object"}
	scoRef       = refRule{class: refSCO, want: "a cyber-observable object"}
	sdoRef       = refRule{class: refSDO, want: "a STIX domain object"}
	identityRef  = refTo("an identity", "identity")
	markingRef   = refTo("a marking-definition", "marking-definition")
	softwareRef  = refTo("a software object", "software")
	artifactRef  = refTo("an artifact", "artifact")
	fileRef      = refTo("a file", "file")
	emailAddrRef = refTo("an email-addr", "email-addr")
	userRef      = refTo("a user-account", "user-account")
	processRef   = refTo("a process", "process")
	trafficRef   = refTo("a network-traffic object", "network-traffic")
	// relEndRef is what relationship source_ref/target_ref may name: SDOs and
	// SCOs (STIX 2.1 §5.1), so not SROs, bundles or the meta objects.
	relEndRef = refRule{class: refNotTypes, types: []string{"relationship", "sighting", "bundle", "marking-definition", "language-content", "extension-definition"},
		want: "an SDO or SCO"}
)

// objClass is the family of an object type, which decides its common
// properties (STIX 2.1 §3.2 for SDOs/SROs, §6.1 for SCOs, §7 for SMOs).
type objClass uint8

const (
	classNested objClass = iota // a nested object (external reference, extension, …)
	classSDO
	classSRO
	classSCO
	classMarking     // marking-definition (§7.2.1), its own common properties
	classMetaCore    // language-content, extension-definition: core properties (§7.1, §7.3)
	classCustomCore  // unknown type treated as a custom SDO/SRO (core.json)
	classCustomSCO   // unknown type treated as a custom SCO (cyber-observable-core.json)
	classTelecomRoot // the telecom extension content
)

// objSpec describes an object type or nested object.
type objSpec struct {
	name       string // type name, or a phrase for nested objects
	class      objClass
	props      map[string]prop
	required   []string
	anyOf      []string // at least one of these must be present
	closed     bool     // no other properties (additionalProperties false)
	nonEmpty   bool     // at least one property (minProperties 1)
	checkNames bool     // other property names follow the rules of §3.1 / properties.json
	exts       map[string]*objSpec
	cross      crossRule
}

// crossRule selects the rules that relate several properties of one object.
type crossRule uint8

const (
	xNone crossRule = iota
	xSeen           // last_seen >= first_seen
	xIndicator
	xLocation
	xMalware
	xMalwareAnalysis
	xObservedData
	xRelationship
	xSighting
	xExtensionDefinition
	xMarkingDefinition
	xArtifact
	xEmailMessage
	xMimePart
	xNetworkTraffic
	xTelecom
	xUserStep
	xGranularMarking
)

// Vocabularies that STIX 2.1 closes (section 10 "enum" vocabularies).
var (
	opinionEnum        = []string{"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"} // §10.9
	extensionTypeEnum  = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}
	encryptionAlgEnum  = []string{"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"} // §10.5
	addressFamilyEnum  = []string{"AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH"}
	socketTypeEnum     = []string{"SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"}
	integrityLevelEnum = []string{"low", "medium", "high", "system"}
	serviceStartEnum   = []string{"SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT"}
	serviceTypeEnum    = []string{"SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS"}
	serviceStatusEnum  = []string{"SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING", "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED"}
	registryDataEnum   = []string{"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN", "REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTION", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE"}
)

// Known type names by family (STIX 2.1 §4, §5, §6, §7).
var (
	sdoTypes = []string{"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident", "indicator",
		"infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note", "observed-data", "opinion",
		"report", "threat-actor", "tool", "vulnerability"}
	sroTypes = []string{"relationship", "sighting"}
	scoTypes = []string{"artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
		"ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url", "user-account",
		"windows-registry-key", "x509-certificate"}
	smoTypes = []string{"marking-definition", "language-content", "extension-definition"}
)

// idContributing lists the ID Contributing Properties of each SCO type (STIX
// 2.1 §6.1–§6.18): the id of an SCO SHOULD be the UUIDv5 of them (§2.9), and
// MUST be a random UUIDv4 when none is present. A process has none (§6.13).
var idContributing = map[string][]string{
	"artifact":             {"hashes", "payload_bin"},
	"autonomous-system":    {"number"},
	"directory":            {"path"},
	"domain-name":          {"value"},
	"email-addr":           {"value"},
	"email-message":        {"from_ref", "subject", "body"},
	"file":                 {"hashes", "name", "extensions", "parent_directory_ref"},
	"ipv4-addr":            {"value"},
	"ipv6-addr":            {"value"},
	"mac-addr":             {"value"},
	"mutex":                {"name"},
	"network-traffic":      {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"},
	"process":              {},
	"software":             {"name", "cpe", "swid", "vendor", "version"},
	"url":                  {"value"},
	"user-account":         {"account_type", "user_id", "account_login"},
	"windows-registry-key": {"key", "values"},
	"x509-certificate":     {"hashes", "serial_number"},
}

// reservedNames may not be used as top-level property names (core.json
// "not required"; STIX 2.1 §3.1 reserves them for future use).
var reservedNames = [...]string{"severity", "action", "username", "phone_numbers"}

// merge returns a new property table holding base and then own entries.
func merge(base, own map[string]prop) map[string]prop {
	m := make(map[string]prop, len(base)+len(own))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range own {
		m[k] = v
	}
	return m
}

// coreProps are the common properties of SDOs, SROs, language-content and
// extension-definition (STIX 2.1 §3.2, core.json).
var coreProps = map[string]prop{
	"type":                {kind: kSkip},
	"id":                  {kind: kSkip},
	"spec_version":        {kind: kSkip},
	"created":             prop{kind: kTimestampMilli}.req(),
	"modified":            prop{kind: kTimestampMilli}.req(),
	"created_by_ref":      pRef(identityRef),
	"labels":              pStrings,
	"revoked":             pBool,
	"confidence":          pInt.between(0, 100),
	"lang":                pString.with(sLanguageTag),
	"external_references": {kind: kExternalRefs},
	"object_marking_refs": pRefs(markingRef).advise(wMarkingRefs),
	"granular_markings":   {kind: kGranularMarkings},
	"extensions":          {kind: kExtensions},
}

// scoProps are the common properties of cyber-observable objects (STIX 2.1
// §6.1, cyber-observable-core.json).
var scoProps = map[string]prop{
	"type":                {kind: kSkip},
	"id":                  {kind: kSkip},
	"spec_version":        {kind: kSkip},
	"object_marking_refs": pRefs(markingRef).advise(wMarkingRefs),
	"granular_markings":   {kind: kGranularMarkings},
	"defanged":            pBool,
	"extensions":          {kind: kExtensions},
}

// Nested object types (STIX 2.1 §2 data types and per-object types).
var (
	killChainPhase = &objSpec{name: "kill chain phase", props: map[string]prop{
		"kill_chain_name": pString.req(), "phase_name": pString.req()}}
	granularMarking = &objSpec{name: "granular marking", cross: xGranularMarking, props: map[string]prop{
		"selectors": pStrings.req(), "lang": pString.with(sLanguageTag), "marking_ref": pRef(markingRef)}}
)

// specFor maps each known type to its table. It is built once and read-only.
var specFor = buildSpecs()

func buildSpecs() map[string]*objSpec {
	sdo := func(name string, cross crossRule, own map[string]prop) *objSpec {
		return &objSpec{name: name, class: classSDO, props: merge(coreProps, merge(map[string]prop{"description": pString}, own)), checkNames: true, cross: cross}
	}
	sco := func(name string, own map[string]prop, anyOf ...string) *objSpec {
		return &objSpec{name: name, class: classSCO, props: merge(scoProps, own), checkNames: true, anyOf: anyOf}
	}
	seen := map[string]prop{"first_seen": pTimestamp, "last_seen": pTimestamp}
	m := map[string]*objSpec{
		// §4.1–§4.19 STIX Domain Objects.
		"attack-pattern": sdo("attack-pattern", xNone, map[string]prop{
			"name": pString.req(), "aliases": pStrings, "kill_chain_phases": pKillChain}),
		"campaign": sdo("campaign", xSeen, merge(seen, map[string]prop{
			"name": pString.req(), "aliases": pStrings, "objective": pString})),
		"course-of-action": sdo("course-of-action", xNone, map[string]prop{"name": pString.req()}),
		"grouping": sdo("grouping", xNone, map[string]prop{
			"name": pString, "context": pString.req().ov(groupingContextOV), "object_refs": pRefs(anyRef).req()}),
		"identity": sdo("identity", xNone, map[string]prop{
			"name": pString.req(), "roles": pStrings, "identity_class": pString.ov(identityClassOV), "sectors": pStrings.ov(industrySectorOV),
			"contact_information": pString}),
		"incident": sdo("incident", xNone, map[string]prop{"name": pString.req(), "kill_chain_phases": pKillChain}),
		"indicator": sdo("indicator", xIndicator, map[string]prop{
			"name": pString, "indicator_types": pStrings.ov(indicatorTypeOV), "pattern": pString.req(), "pattern_type": pString.req().ov(patternTypeOV),
			"pattern_version": pString, "valid_from": pTimestamp.req(), "valid_until": pTimestamp, "kill_chain_phases": pKillChain}),
		"infrastructure": sdo("infrastructure", xSeen, merge(seen, map[string]prop{
			"name": pString.req(), "infrastructure_types": pStrings.ov(infrastructureTypeOV), "aliases": pStrings, "kill_chain_phases": pKillChain})),
		"intrusion-set": sdo("intrusion-set", xSeen, merge(seen, map[string]prop{
			"name": pString.req(), "aliases": pStrings, "goals": pStrings, "resource_level": pString.ov(attackResourceLevelOV),
			"primary_motivation": pString.ov(attackMotivationOV), "secondary_motivations": pStrings.ov(attackMotivationOV)})),
		"location": sdo("location", xLocation, map[string]prop{
			"name": pString, "latitude": pNumber.between(-90, 90), "longitude": pNumber.between(-180, 180),
			"precision": pNumber.atLeast(0), "region": pString.ov(regionOV), "country": pString.advise(wCountry), "administrative_area": pString,
			"city": pString, "street_address": pString, "postal_code": pString}),
		"malware": sdo("malware", xMalware, merge(seen, map[string]prop{
			"name": pString, "malware_types": pStrings.ov(malwareTypeOV), "is_family": pBool.req(), "aliases": pStrings,
			"operating_system_refs": pRefs(softwareRef), "architecture_execution_envs": pStrings.ov(processorArchitectureOV),
			"implementation_languages": pStrings.ov(implementationLanguageOV), "capabilities": pStrings.ov(malwareCapabilitiesOV),
			"sample_refs": pRefs(refTo("an artifact or file", "artifact", "file")), "kill_chain_phases": pKillChain})),
		"malware-analysis": sdo("malware-analysis", xMalwareAnalysis, map[string]prop{
			"product": pString.req(), "version": pString, "host_vm_ref": pRef(softwareRef),
			"operating_system_ref": pRef(softwareRef), "installed_software_refs": pRefs(softwareRef),
			"configuration_version": pString, "modules": pStrings, "analysis_engine_version": pString,
			"analysis_definition_version": pString, "submitted": pTimestamp, "analysis_started": pTimestamp,
			"analysis_ended": pTimestamp, "result_name": pString, "result": pString.ov(malwareResultOV),
			"analysis_sco_refs": pRefs(scoRef),
			"sample_ref":        pRef(refTo("an artifact, file or network-traffic object", "artifact", "file", "network-traffic"))}),
		"note": sdo("note", xNone, map[string]prop{
			"abstract": pString, "content": pString.req(), "authors": pStrings, "object_refs": pRefs(anyRef).req()}),
		"observed-data": sdo("observed-data", xObservedData, map[string]prop{
			"first_observed": pTimestamp.req(), "last_observed": pTimestamp.req(),
			"number_observed": pInt.between(1, 999999999).req(),
			"objects":         pDict(dObject).advise(wDeprecated),
			"object_refs":     pRefs(refRule{class: refSCOorSRO, want: "a cyber-observable object or an SRO"})}),
		"opinion": sdo("opinion", xNone, map[string]prop{
			"explanation": pString, "authors": pStrings, "opinion": pEnum(opinionEnum...).req(), "object_refs": pRefs(anyRef).req()}),
		"report": sdo("report", xNone, map[string]prop{
			"name": pString.req(), "report_types": pStrings.ov(reportTypeOV), "published": pTimestamp.req(), "object_refs": pRefs(anyRef).req()}),
		"threat-actor": sdo("threat-actor", xSeen, merge(seen, map[string]prop{
			"name": pString.req(), "threat_actor_types": pStrings.ov(threatActorTypeOV), "aliases": pStrings,
			"roles": pStrings.ov(threatActorRoleOV), "goals": pStrings, "sophistication": pString.ov(threatActorSophisticationOV),
			"resource_level": pString.ov(attackResourceLevelOV), "primary_motivation": pString.ov(attackMotivationOV),
			"secondary_motivations": pStrings.ov(attackMotivationOV), "personal_motivations": pStrings.ov(attackMotivationOV)})),
		"tool": sdo("tool", xNone, map[string]prop{
			"name": pString.req(), "tool_types": pStrings.ov(toolTypeOV), "aliases": pStrings, "kill_chain_phases": pKillChain, "tool_version": pString}),
		"vulnerability": sdo("vulnerability", xNone, map[string]prop{"name": pString.req()}),

		// §5 STIX Relationship Objects.
		"relationship": {name: "relationship", class: classSRO, checkNames: true, cross: xRelationship, props: merge(coreProps, map[string]prop{
			"relationship_type": pString.with(sRelType).req(), "description": pString,
			"source_ref": pRef(relEndRef).req(), "target_ref": pRef(relEndRef).req(),
			"start_time": pTimestamp, "stop_time": pTimestamp})},
		"sighting": {name: "sighting", class: classSRO, checkNames: true, cross: xSighting, props: merge(coreProps, map[string]prop{
			"description": pString, "first_seen": pTimestamp, "last_seen": pTimestamp,
			"count":              pInt.between(0, 999999999),
			"sighting_of_ref":    pRef(sdoRef).req(),
			"observed_data_refs": pRefs(refTo("an observed-data object", "observed-data")),
			"where_sighted_refs": pRefs(refTo("an identity or location", "identity", "location")),
			"summary":            pBool})},

		// §7 STIX Meta Objects.
		"marking-definition": {name: "marking-definition", class: classMarking, checkNames: true, cross: xMarkingDefinition, props: map[string]prop{
			"type": {kind: kSkip}, "id": {kind: kSkip}, "spec_version": {kind: kSkip},
			"created":             pTimestamp.req(),
			"created_by_ref":      pRef(identityRef),
			"external_references": {kind: kExternalRefs},
			"object_marking_refs": pRefs(markingRef).advise(wMarkingRefs),
			"granular_markings":   {kind: kGranularMarkings},
			"extensions":          {kind: kExtensions},
			"name":                pString,
			"definition_type":     pString,
			"definition":          {kind: kObject, sub: &objSpec{name: "definition"}},
		}},
		"language-content": {name: "language-content", class: classMetaCore, checkNames: true, props: merge(coreProps, map[string]prop{
			"object_ref":      pRef(refRule{class: refNotTypes, types: []string{"bundle", "language-content"}, want: "an object other than a bundle or language-content"}).req(),
			"object_modified": pTimestamp,
			"contents":        pDict(dLangContents).req()})},
		"extension-definition": {name: "extension-definition", class: classMetaCore, checkNames: true, cross: xExtensionDefinition, props: merge(coreProps, map[string]prop{
			"created_by_ref":       pRef(identityRef).req(), // STIX 2.1 §7.3: required, though core.json leaves it optional
			"name":                 pString.req(),
			"description":          pString,
			"schema":               pString.req(),
			"version":              pString.req(),
			"extension_types":      pEnumList(extensionTypeEnum...).req(),
			"extension_properties": pStrings})},

		// §6 STIX Cyber-observable Objects.
		"artifact": sco("artifact", map[string]prop{
			"mime_type": pString.with(sMIME), "payload_bin": pBinary, "url": pString.with(sURL), "hashes": pHashes,
			"encryption_algorithm": pEnum(encryptionAlgEnum...), "decryption_key": pString}),
		"autonomous-system": sco("autonomous-system", map[string]prop{
			"number": pInt.req(), "name": pString, "rir": pString}),
		"directory": sco("directory", map[string]prop{
			"path": pString.req(), "path_enc": pString.with(sEnc), "ctime": pTimestamp, "mtime": pTimestamp, "atime": pTimestamp,
			"contains_refs": pRefs(refTo("a file or directory", "file", "directory"))}),
		"domain-name": sco("domain-name", map[string]prop{
			"value":            pString.with(sDomain).req(),
			"resolves_to_refs": pRefs(refTo("an ipv4-addr, ipv6-addr or domain-name", "ipv4-addr", "ipv6-addr", "domain-name"))}),
		"email-addr": sco("email-addr", map[string]prop{
			"value": pString.with(sEmail).req(), "display_name": pString, "belongs_to_ref": pRef(userRef)}),
		"email-message": {name: "email-message", class: classSCO, checkNames: true, cross: xEmailMessage, props: merge(scoProps, map[string]prop{
			"is_multipart": pBool.req(), "date": pTimestamp, "content_type": pString,
			"from_ref": pRef(emailAddrRef), "sender_ref": pRef(emailAddrRef),
			"to_refs": pRefs(emailAddrRef), "cc_refs": pRefs(emailAddrRef), "bcc_refs": pRefs(emailAddrRef),
			"message_id": pString, "subject": pString, "received_lines": pStrings,
			"additional_header_fields": pDict(dHeader), "body": pString,
			"body_multipart": pObjects(&objSpec{name: "MIME part", cross: xMimePart, props: map[string]prop{
				"body": pString, "body_raw_ref": pRef(refTo("an artifact or file", "artifact", "file")),
				"content_type": pString, "content_disposition": pString}}),
			"raw_email_ref": pRef(artifactRef)})},
		"file": {name: "file", class: classSCO, checkNames: true, anyOf: []string{"hashes", "name"}, exts: fileExts, props: merge(scoProps, map[string]prop{
			"hashes": pHashes, "size": pInt.atLeast(0), "name": pString, "name_enc": pString.with(sEnc),
			"magic_number_hex": pHex, "mime_type": pString, "ctime": pTimestamp, "mtime": pTimestamp, "atime": pTimestamp,
			"parent_directory_ref": pRef(refTo("a directory", "directory")), "contains_refs": pRefs(scoRef),
			"content_ref": pRef(artifactRef)})},
		"ipv4-addr": sco("ipv4-addr", map[string]prop{
			"value": pString.with(sIPv4).req(), "resolves_to_refs": pRefs(refTo("a mac-addr", "mac-addr")),
			"belongs_to_refs": pRefs(refTo("an autonomous-system", "autonomous-system"))}),
		"ipv6-addr": sco("ipv6-addr", map[string]prop{
			"value": pString.with(sIPv6).req(), "resolves_to_refs": pRefs(refTo("a mac-addr", "mac-addr")),
			"belongs_to_refs": pRefs(refTo("an autonomous-system", "autonomous-system"))}),
		"mac-addr": sco("mac-addr", map[string]prop{"value": pString.with(sMAC).req()}),
		"mutex":    sco("mutex", map[string]prop{"name": pString.req()}),
		"network-traffic": {name: "network-traffic", class: classSCO, checkNames: true, cross: xNetworkTraffic, anyOf: []string{"src_ref", "dst_ref"}, exts: trafficExts, props: merge(scoProps, map[string]prop{
			"start": pTimestamp, "end": pTimestamp, "is_active": pBool,
			"src_ref":  pRef(refTo("an ipv4-addr, ipv6-addr, mac-addr or domain-name", "ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")),
			"dst_ref":  pRef(refTo("an ipv4-addr, ipv6-addr, mac-addr or domain-name", "ipv4-addr", "ipv6-addr", "mac-addr", "domain-name")),
			"src_port": pInt.between(0, 65535), "dst_port": pInt.between(0, 65535), "protocols": pStrings.req(),
			"src_byte_count": pInt.atLeast(0), "dst_byte_count": pInt.atLeast(0), "src_packets": pInt.atLeast(0), "dst_packets": pInt.atLeast(0),
			"ipfix": pDict(dStringOrInt), "src_payload_ref": pRef(artifactRef), "dst_payload_ref": pRef(artifactRef),
			"encapsulates_refs": pRefs(trafficRef), "encapsulated_by_ref": pRef(trafficRef)})},
		"process": {name: "process", class: classSCO, checkNames: true, exts: processExts,
			anyOf: []string{"extensions", "is_hidden", "pid", "created_time", "cwd", "command_line", "environment_variables",
				"opened_connection_refs", "creator_user_ref", "image_ref", "parent_ref", "child_refs"},
			props: merge(scoProps, map[string]prop{
				"is_hidden": pBool, "pid": pInt, "created_time": pTimestamp, "cwd": pString, "command_line": pString,
				"environment_variables": pDict(dString), "opened_connection_refs": pRefs(trafficRef),
				"creator_user_ref": pRef(userRef), "image_ref": pRef(fileRef), "parent_ref": pRef(processRef),
				"child_refs": pRefs(processRef)})},
		"software": sco("software", map[string]prop{
			"name": pString.req(), "cpe": pString.with(sCPE), "swid": pString,
			"languages": {kind: kStringList, rule: sLanguageTag}, "vendor": pString, "version": pString}),
		"url": sco("url", map[string]prop{"value": pString.with(sURL).req()}),
		"user-account": {name: "user-account", class: classSCO, checkNames: true, exts: userExts,
			anyOf: []string{"extensions", "user_id", "credential", "account_login", "account_type", "display_name",
				"is_service_account", "is_privileged", "can_escalate_privs", "is_disabled", "account_created",
				"account_expires", "credential_last_changed", "account_first_login", "account_last_login"},
			props: merge(scoProps, map[string]prop{
				"user_id": pString, "credential": pString, "account_login": pString, "account_type": pString.ov(accountTypeOV),
				"display_name": pString, "is_service_account": pBool, "is_privileged": pBool, "can_escalate_privs": pBool,
				"is_disabled": pBool, "account_created": pTimestamp, "account_expires": pTimestamp,
				"credential_last_changed": pTimestamp, "account_first_login": pTimestamp, "account_last_login": pTimestamp})},
		"windows-registry-key": sco("windows-registry-key", map[string]prop{
			"key": pString.with(sRegistryKey),
			"values": pObjects(&objSpec{name: "registry value", anyOf: []string{"name", "data", "data_type"}, props: map[string]prop{
				"name": pString, "data": pString, "data_type": pEnum(registryDataEnum...)}}),
			"modified_time": pTimestamp, "creator_user_ref": pRef(userRef), "number_of_subkeys": pInt.atLeast(0)},
			"key", "values", "modified_time", "creator_user_ref", "number_of_subkeys"),
		"x509-certificate": sco("x509-certificate", map[string]prop{
			"is_self_signed": pBool, "hashes": pHashes, "version": pString, "serial_number": pString,
			"signature_algorithm": pString, "issuer": pString, "validity_not_before": pTimestamp, "validity_not_after": pTimestamp,
			"subject": pString, "subject_public_key_algorithm": pString, "subject_public_key_modulus": pString,
			"subject_public_key_exponent": pInt, "x509_v3_extensions": pObject(x509Extensions)},
			"is_self_signed", "hashes", "version", "serial_number", "signature_algorithm", "issuer", "validity_not_before",
			"validity_not_after", "subject", "subject_public_key_algorithm", "subject_public_key_modulus",
			"subject_public_key_exponent", "x509_v3_extensions"),
	}
	m["artifact"].cross = xArtifact
	for _, s := range []*objSpec{killChainPhase, granularMarking, telecomSpec} {
		fillRequired(s)
	}
	for _, e := range []map[string]*objSpec{fileExts, trafficExts, processExts, userExts} {
		for _, s := range e {
			fillRequired(s)
		}
	}
	for _, s := range m {
		fillRequired(s)
	}
	return m
}

func requiredOf(props map[string]prop) []string {
	var r []string
	for k, p := range props {
		if p.required {
			r = append(r, k)
		}
	}
	sortStrings(r)
	return r
}

// fillRequired fills the required lists of s and of every nested spec.
func fillRequired(s *objSpec) {
	if s == nil || s.required != nil {
		return
	}
	s.required = requiredOf(s.props)
	if s.required == nil {
		s.required = []string{}
	}
	for _, p := range s.props {
		fillRequired(p.sub)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Predefined SCO extensions (STIX 2.1 §6.7.2 file, §6.12.2 network-traffic,
// §6.13.2 process, §6.16.2 user-account).
var (
	peSection = &objSpec{name: "PE section", props: map[string]prop{
		"name": pString.req(), "size": pInt.atLeast(0), "entropy": pNumber, "hashes": pHashes}}
	peOptionalHeader = &objSpec{name: "PE optional header", closed: true, nonEmpty: true, props: map[string]prop{
		"magic_hex": pHex, "major_linker_version": pInt, "minor_linker_version": pInt, "size_of_code": pInt.atLeast(0),
		"size_of_initialized_data": pInt.atLeast(0), "size_of_uninitialized_data": pInt.atLeast(0),
		"address_of_entry_point": pInt, "base_of_code": pInt, "base_of_data": pInt, "image_base": pInt,
		"section_alignment": pInt, "file_alignment": pInt, "major_os_version": pInt, "minor_os_version": pInt,
		"major_image_version": pInt, "minor_image_version": pInt, "major_subsystem_version": pInt,
		"minor_subsystem_version": pInt, "win32_version_value_hex": pHex, "size_of_image": pInt.atLeast(0),
		"size_of_headers": pInt.atLeast(0), "checksum_hex": pHex, "subsystem_hex": pHex, "dll_characteristics_hex": pHex,
		"size_of_stack_reserve": pInt.atLeast(0), "size_of_stack_commit": pInt.atLeast(0),
		"size_of_heap_reserve": pInt.atLeast(0), "size_of_heap_commit": pInt.atLeast(0), "loader_flags_hex": pHex,
		"number_of_rva_and_sizes": pInt, "hashes": pHashes}}
	fileExts = map[string]*objSpec{
		"ntfs-ext": {name: "ntfs-ext", checkNames: true, anyOf: []string{"sid", "alternate_data_streams"}, props: map[string]prop{
			"sid": pString, "alternate_data_streams": pObjects(&objSpec{name: "alternate data stream", props: map[string]prop{
				"name": pString.req(), "hashes": pHashes, "size": pInt.atLeast(0)}})}},
		"raster-image-ext": {name: "raster-image-ext", checkNames: true,
			anyOf: []string{"image_height", "image_width", "bits_per_pixel", "exif_tags"}, props: map[string]prop{
				"image_height": pInt, "image_width": pInt, "bits_per_pixel": pInt, "exif_tags": pDict(dExif)}},
		"pdf-ext": {name: "pdf-ext", checkNames: true, anyOf: []string{"version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"},
			props: map[string]prop{"version": pString, "is_optimized": pBool, "document_info_dict": pDict(dString),
				"pdfid0": pString, "pdfid1": pString}},
		"archive-ext": {name: "archive-ext", checkNames: true, props: map[string]prop{
			"contains_refs": pRefs(refTo("a file or directory", "file", "directory")).req(), "comment": pString}},
		"windows-pebinary-ext": {name: "windows-pebinary-ext", checkNames: true,
			anyOf: []string{"imphash", "machine_hex", "number_of_sections", "time_date_stamp", "pointer_to_symbol_table_hex",
				"number_of_symbols", "size_of_optional_header", "characteristics_hex", "file_header_hashes", "optional_header", "sections"},
			props: map[string]prop{
				"pe_type": pString.req().ov(windowsPEBinaryTypeOV), "imphash": pString, "machine_hex": pHex, "number_of_sections": pInt.atLeast(0),
				"time_date_stamp": {kind: kTimestampSec}, "pointer_to_symbol_table_hex": pHex,
				"number_of_symbols": pInt.atLeast(0), "size_of_optional_header": pInt.atLeast(0),
				"characteristics_hex": pHex, "file_header_hashes": pHashes, "optional_header": pObject(peOptionalHeader),
				"sections": pObjects(peSection)}},
	}
	trafficExts = map[string]*objSpec{
		"http-request-ext": {name: "http-request-ext", checkNames: true, props: map[string]prop{
			"request_method": pString.req(), "request_value": pString.req(), "request_version": pString,
			"request_header": pDict(dStringList), "message_body_length": pInt.atLeast(0),
			"message_body_data_ref": pRef(artifactRef)}},
		"icmp-ext": {name: "icmp-ext", checkNames: true, props: map[string]prop{
			"icmp_type_hex": pHex.req(), "icmp_code_hex": pHex.req()}},
		"socket-ext": {name: "socket-ext", checkNames: true, props: map[string]prop{
			"address_family": pEnum(addressFamilyEnum...).req(), "is_blocking": pBool, "is_listening": pBool,
			"options": pDict(dSocketOption), "socket_type": pEnum(socketTypeEnum...),
			"socket_descriptor": pInt.atLeast(0), "socket_handle": pInt}},
		"tcp-ext": {name: "tcp-ext", checkNames: true, anyOf: []string{"src_flags_hex", "dst_flags_hex"}, props: map[string]prop{
			"src_flags_hex": pHex, "dst_flags_hex": pHex}},
	}
	processExts = map[string]*objSpec{
		"windows-process-ext": {name: "windows-process-ext", checkNames: true,
			anyOf: []string{"aslr_enabled", "dep_enabled", "priority", "owner_sid", "window_title", "startup_info", "integrity_level"},
			props: map[string]prop{
				"aslr_enabled": pBool, "dep_enabled": pBool, "priority": pString, "owner_sid": pString,
				"window_title": pString, "startup_info": pDict(dStartupInfo), "integrity_level": pEnum(integrityLevelEnum...)}},
		"windows-service-ext": {name: "windows-service-ext", checkNames: true,
			anyOf: []string{"service_name", "descriptions", "display_name", "group_name", "start_type", "service_dll_refs", "service_type", "service_status"},
			props: map[string]prop{
				"service_name": pString, "descriptions": pStrings, "display_name": pString, "group_name": pString,
				"start_type": pEnum(serviceStartEnum...), "service_dll_refs": pRefs(fileRef),
				"service_type": pEnum(serviceTypeEnum...), "service_status": pEnum(serviceStatusEnum...)}},
	}
	userExts = map[string]*objSpec{
		"unix-account-ext": {name: "unix-account-ext", checkNames: true, anyOf: []string{"gid", "groups", "home_dir", "shell"},
			props: map[string]prop{"gid": pInt, "groups": pStrings, "home_dir": pString, "shell": pString}},
	}
	x509Extensions = &objSpec{name: "X.509 v3 extensions",
		anyOf: []string{"basic_constraints", "name_constraints", "policy_constraints", "key_usage", "extended_key_usage",
			"subject_key_identifier", "authority_key_identifier", "subject_alternative_name", "issuer_alternative_name",
			"subject_directory_attributes", "crl_distribution_points", "inhibit_any_policy",
			"private_key_usage_period_not_before", "private_key_usage_period_not_after", "certificate_policies", "policy_mappings"},
		props: map[string]prop{
			"basic_constraints": pString, "name_constraints": pString, "policy_constraints": pString, "key_usage": pString,
			"extended_key_usage": pString, "subject_key_identifier": pString, "authority_key_identifier": pString,
			"subject_alternative_name": pString, "issuer_alternative_name": pString, "subject_directory_attributes": pString,
			"crl_distribution_points": pString, "inhibit_any_policy": pString,
			"private_key_usage_period_not_before": pTimestamp, "private_key_usage_period_not_after": pTimestamp,
			"certificate_policies": pString, "policy_mappings": pString}}
)

// Custom types fall back to the common rules of their family (STIX 2.1 §11.2).
var (
	customCoreSpec = &objSpec{name: "custom object", class: classCustomCore, props: coreProps, checkNames: true, required: []string{"created", "modified"}}
	customSCOSpec  = &objSpec{name: "custom cyber-observable", class: classCustomSCO, props: scoProps, checkNames: true, required: []string{}}
)

// Telecom extension vocabularies (PROFILE.md §3).
var (
	telecomReportKinds = []string{KindServiceOutage, KindCyberAttack, KindInfoLeak, KindNearMiss, KindDisasterDamage, KindOutageSignal}
	telecomSymptoms    = []string{"no-connectivity", "dns-failure", "packet-loss", "high-latency", "call-failure", "routing-anomaly", "routing-withdrawal", "user-report-surge", "other"}
	telecomCauses      = []string{"telecom-equipment-failure", "non-telecom-facility-failure", "facility-info-leak", "none"}
	telecomEquipment   = []string{"core", "base-station", "remote-terminal", "dslam", "customer-premises", "aerial-access-line", "non-telecom-system", "other"}
	telecomServices    = []string{"emergency-voice", "voice", "free-internet", "lpwa", "other"}
	telecomImpacts     = []string{"stop", "degradation", "none"}
	telecomWholesale   = []string{"self", "wholesaler", "wholesale-receiver"}
	telecomFacilities  = []string{"satellite", "submarine-cable", "other-important"}
	telecomDisasters   = []string{"earthquake", "typhoon", "heavy-rain", "snow", "other"}
	telecomIntensities = []string{"1", "2", "3", "4", "5-", "5+", "6-", "6+", "7"}
	telecomAttacks     = []string{"ddos", "intrusion", "malware", "credential-leak", "other"}
	telecomOsore       = []string{"malfunction-not-stoppable", "failover-not-prompt", "other"}
)

// telecomSpec is the table of PROFILE.md §3; telecom-extension.schema.json
// says the same in JSON Schema.
var telecomSpec = &objSpec{name: "telecom extension", class: classTelecomRoot, checkNames: true, cross: xTelecom, props: map[string]prop{
	"extension_type":     pEnum("property-extension").req(),
	"report_kind":        pEnum(telecomReportKinds...).req(),
	"cause":              pEnum(telecomCauses...),
	"occurred_at":        pTimestamp, // required unless report_kind is outage-signal (xTelecom)
	"aware_at":           pTimestamp,
	"recovered_at":       pTimestamp,
	"failed_equipment":   pEnum(telecomEquipment...),
	"same_premises_only": pBool,
	"services": pObjects(&objSpec{name: "service", checkNames: true, props: map[string]prop{
		"service_class":           pEnum(telecomServices...).req(),
		"impact":                  pEnum(telecomImpacts...).req(),
		"additional_feature_only": pBool,
		"affected_users":          pInt.atLeast(0),
		"user_profile": pObjects(&objSpec{name: "user profile step", checkNames: true, cross: xUserStep, props: map[string]prop{
			"start": pTimestamp.req(), "end": pTimestamp.req(), "users": pInt.atLeast(0).req()}}),
		"users_unknown":          pBool,
		"stopped_bandwidth_bps":  pInt.atLeast(0),
		"wholesale_role":         pEnum(telecomWholesale...),
		"wholesale_partner_refs": pRefs(identityRef),
	}}),
	"important_facility": pObject(&objSpec{name: "important facility", checkNames: true, props: map[string]prop{
		"kind": pEnum(telecomFacilities...).req(), "all_traffic_down_seconds": pInt.atLeast(0).req()}}),
	"disaster": pObject(&objSpec{name: "disaster", checkNames: true, props: map[string]prop{
		"kind": pEnum(telecomDisasters...).req(), "name": pString, "seismic_intensity": pEnum(telecomIntensities...),
		"emergency_network_reported": pBool, "emergency_measures_completed_at": pTimestamp}}),
	"cyber": pObject(&objSpec{name: "cyber attack", checkNames: true, props: map[string]prop{
		"attack_type": pEnum(telecomAttacks...).req(), "outbound_attack_on_facility": pBool}}),
	"osore": pObject(&objSpec{name: "serious-accident risk", checkNames: true, props: map[string]prop{
		"situation": pEnum(telecomOsore...).req(), "core_network": pBool, "prefectures": pInt.between(0, 47)}}),
	"sensitive_design_refs": pRefs(artifactRef),
	// The signal block of an outage-signal (INTERFACES §9). Only its shape
	// is checked here; package outage validates regions, ASNs and prefixes
	// and names each bad value.
	"signal": pObject(&objSpec{name: "signal", checkNames: true, props: map[string]prop{
		"observed_at": pTimestamp.req(), "symptom": pEnum(telecomSymptoms...).req(), "service_class": pEnum(telecomServices...),
		"regions": pStrings, "upstream_asns": pAny, "prefixes": pStrings, "note": pString}}),
}}

// tlp20Spec is the content of the OASIS TLP 2.0 extension on a marking-definition.
var tlp20Spec = &objSpec{name: "TLP 2.0 extension", checkNames: true, required: []string{"extension_type", "tlp_2_0"}, props: map[string]prop{
	"extension_type": pEnum("property-extension").req(),
	"tlp_2_0":        pEnum("clear", "green", "amber", "amber+strict", "red").req(),
}}

// typeFamily classifies type names for reference rules.
var typeFamily = func() map[string]objClass {
	m := map[string]objClass{"bundle": classNested}
	for _, t := range sdoTypes {
		m[t] = classSDO
	}
	for _, t := range sroTypes {
		m[t] = classSRO
	}
	for _, t := range scoTypes {
		m[t] = classSCO
	}
	for _, t := range smoTypes {
		m[t] = classMarking
	}
	return m
}()
