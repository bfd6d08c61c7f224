// Package anonymize builds the community copies of a submission
// (SHARING.md §4): the identified profile (the original objects, for the
// statutory channels), ceptoar (the submitter removed, defenders' content
// kept) and public (ceptoar, then TLP:CLEAR objects only, incidents reduced to
// category, region and banded figures), followed by a fail-closed leak check.
//
// An Anonymizer is built once per registry. Every name, alias, domain,
// contact and identity id of every Party is expanded into the spellings
// people write (readings in other scripts, contact names part by part;
// forms.go) and, in matching form (NFKC, case folded, hiragana as katakana,
// separators removed), goes into one Aho–Corasick automaton, so scrubbing a
// string is one pass over it whatever the size of the registry. Networks in
// every notation, phone numbers, ASNs, e-mail addresses (obfuscated too) and
// postal addresses are found by small hand-written scanners over the same
// normalized text, and people the registry does not know by their context
// (person.go: the morphological analyser kagome with the IPA dictionary for
// Japanese, honorifics and roles for English); no regular expression runs in
// the hot path. Matches map back to the original bytes, so text around a
// placeholder is kept exactly as submitted.
//
// The leak check does not reuse any of that detection: it has its own, more
// aggressive matcher over skeletons of the text (skeleton.go), so that it
// does not share the scrubber's blind spots.
//
// docs/anonymize.md describes each transformation, the placeholders, what is
// caught and what is not, the pseudonym scheme, the leak check and why an
// indicator whose pattern names a victim value is dropped rather than
// rewritten. The package imports only stix of the project.
package anonymize
