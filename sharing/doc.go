// Package sharing holds the hub's sharing domain: the organizations of the
// registry and their roles (SHARING.md §1), submissions and the intake that
// stores them, and the audit log (§6). It declares the Store it needs;
// store/sqlite implements it. Channels, TLP routing and releases join it in
// later work.
package sharing
