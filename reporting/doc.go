// Package reporting holds the statutory reporting rules of the
// Telecommunications Business Act (電気通信事業法) for the telecom sector:
// which accident class an incident falls in, which obligations it creates
// for the reporting carrier, and when each is due.
//
// The rules are data (RuleSet, REPORTING.md §7): a service-class table of
// (minimum users, minimum duration) legs combined by OR for serious
// accidents (Art. 28; 施行規則58条), the important-facility rule, the 2 Gbps
// proxy for uncountable users, the quarterly items of 報告規則7条の3 with
// its minor-accident exemptions and simple-form equipment, the
// serious-accident-risk gate (おそれ事態) and the disaster rules. Every
// decision records Evidence so that reviewers can audit outcomes that rest
// on uncertain ([U]) rules.
//
// Deadlines are civil dates in Japan time: the first day is not counted
// (Civil Code Art. 140) and a deadline that falls on an administrative
// holiday moves to the next working day (行政機関の休日に関する法律 Art. 2).
// National holidays come from the maintained calendar
// github.com/rickar/cal/v2/jp, extended only by the statutory "citizens'
// holiday" rule (国民の祝日に関する法律 Art. 3(3)); see holiday.go.
//
// The package imports only stix of the project and knows nothing of HTTP or
// SQL: the Store interface is implemented by store/sqlite.
package reporting
