package app

import (
	"context"
	"sync"
)

// nameLocks serialises the mutations that bring a VM name into being, so
// that two concurrent creates of one name end with exactly one VM: the
// second waits for the first, then finds the name taken.
type nameLocks struct {
	mu    sync.Mutex
	locks map[string]*nameLock
}

type nameLock struct {
	ch   chan struct{} // holds one token while the name is locked
	refs int
}

// lock waits until name is free or ctx is done, and returns the function
// that frees it.
func (n *nameLocks) lock(ctx context.Context, name string) (unlock func(), err error) {
	n.mu.Lock()
	if n.locks == nil {
		n.locks = make(map[string]*nameLock)
	}
	l := n.locks[name]
	if l == nil {
		l = &nameLock{ch: make(chan struct{}, 1)}
		n.locks[name] = l
	}
	l.refs++
	n.mu.Unlock()

	select {
	case l.ch <- struct{}{}:
		return func() {
			<-l.ch
			n.release(name, l)
		}, nil
	case <-ctx.Done():
		n.release(name, l)
		return nil, ctx.Err()
	}
}

func (n *nameLocks) release(name string, l *nameLock) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(n.locks, name)
	}
}
