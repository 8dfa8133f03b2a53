// Package cache is a tiny key-value cache with expiry counters.
package cache

import (
	"errors"
	"sort"
	"sync"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("cache: not found")

type entry struct {
	value []byte
	hits  int
}

// Cache is a mutex-protected map of byte values.
type Cache struct {
	mu      sync.Mutex
	items   map[string]*entry
	maxSize int
	onEvict func(key string)
}

// New returns an empty cache; the *Cache escapes to the caller.
func New(maxSize int) *Cache {
	c := &Cache{items: make(map[string]*entry), maxSize: maxSize}
	return c
}

// OnEvict registers a callback; fn leaks into the Cache.
func (c *Cache) OnEvict(fn func(key string)) {
	c.onEvict = fn
}

// Put stores a copy of value under key.
func (c *Cache) Put(key string, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.maxSize {
		c.evictLocked()
	}
	buf := make([]byte, len(value))
	copy(buf, value)
	c.items[key] = &entry{value: buf}
}

// Get returns the stored value for key.
func (c *Cache) Get(key string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, ErrNotFound
	}
	e.hits++
	return e.value, nil
}

// evictLocked drops the least used entry.
func (c *Cache) evictLocked() {
	var victim string
	least := -1
	for k, e := range c.items {
		if least < 0 || e.hits < least {
			victim, least = k, e.hits
		}
	}
	delete(c.items, victim)
	if c.onEvict != nil {
		c.onEvict(victim)
	}
}

// Keys returns the sorted keys; the slice escapes, the sort closure does not.
func (c *Cache) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.items))
	for k := range c.items {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// Len counts entries; nothing escapes.
func (c *Cache) Len() int {
	c.mu.Lock()
	n := len(c.items)
	c.mu.Unlock()
	return n
}
