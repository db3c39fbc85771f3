// Package domain holds the types and rules of esximcp that depend on no
// technology: virtual machines and references to them, the specifications
// of what may be done to them and their validation, placement, plans,
// performance figures, and the closed set of error kinds.
//
// It imports only the standard library. Types carry no serialisation tags:
// adapters decide how they are shown.
package domain
