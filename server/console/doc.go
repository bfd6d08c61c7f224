// Package console is the hub's web console (INTERFACES.md §8): server-rendered
// pages (html/template, assets embedded in the binary, no front-end build)
// for the people who report, review and receive. Every core flow works
// without JavaScript; assets/console.js only enhances (live classification,
// copy buttons).
//
// The console is an adapter like the API: it signs people in (sharing.Users),
// turns forms into calls of the domain services with the signed-in caller, and
// renders what they return. What a caller may see or do is decided by those
// services, never here. Messages come from the catalogues in i18n/ (Japanese
// by default, English), not from strings in code.
package console
