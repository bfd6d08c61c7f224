// Package anonymize builds the community copies of a submission
// (SHARING.md §4): the identified profile (the original objects, for the
// statutory channels), ceptoar (the submitter removed, defenders' content
// kept) and public (ceptoar, then TLP:CLEAR objects only, incidents reduced to
// category, region and banded figures), followed by a fail-closed leak check.
//
// An Anonymizer is built once per registry: every name, alias, domain,
// contact and identity id of every Party, in matching form (NFKC, case folded,
// white space removed), goes into one Aho–Corasick automaton, so scrubbing a
// string is one pass over it whatever the size of the registry. Networks,
// phone numbers, ASNs, e-mail addresses and postal addresses are found by
// small hand-written scanners over the same normalized text; no regular
// expression runs in the hot path. Matches map back to the original bytes, so
// text around a placeholder is kept exactly as submitted.
//
// docs/anonymize.md describes each transformation, the placeholders, the
// pseudonym scheme, the leak check and why an indicator whose pattern names a
// victim value is dropped rather than rewritten. The package imports only
// stix of the project.
package anonymize
