// Package outage answers "is it only us?" (issue #16): it turns early outage
// signals — carriers' incidents with report_kind "outage-signal"
// (INTERFACES §9, PROFILE.md §3) and the hub's own signals from routing and
// user reports — into sector events when two or more organizations see the
// same kind of trouble in the same place at the same time.
//
// The package owns the domain: the Signal value and its validation, the
// grouping Rules (data, documented in docs/signals.md), the Correlator that
// opens, grows and closes Events, and the two views of an event (the
// regulator's identified view, and the anonymized view for the carriers that
// signalled, ICT-ISAC and NISC). Outside sources live beneath it: package
// outage/ris reads BGP updates in the RIS Live format, package outage/post
// reads public posts; both produce Signals.
//
// It imports the standard library and stix only. The hub wires it: intake
// decodes a signal (FromTelecom), feeds it to the Correlator, and fans the
// Correlator's notifications out to the events API, its SSE stream, webhooks
// and the sector-event channels.
package outage
