//! Bounded concurrency on std threads: a fixed number of workers take items in order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Maps `f` over `items` with at most `workers` calls in flight; results in input order.
pub fn map<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let (results, _) = map_until(items, workers, |t| (f(t), false));
    results.into_iter().flatten().collect()
}

/// Like [`map`], but once a call reports `true` (a failure) no new item is started;
/// calls already in flight finish. Items never started are `None`.
pub fn map_until<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> (R, bool) + Sync,
) -> (Vec<Option<R>>, bool) {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let workers = workers.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let (Some(item), Some(slot)) = (items.get(i), slots.get(i)) else {
                    break;
                };
                let (r, failed) = f(item);
                if failed {
                    stop.store(true, Ordering::SeqCst);
                }
                if let Ok(mut s) = slot.lock() {
                    *s = Some(r);
                }
            });
        }
    });
    let results = slots
        .into_iter()
        .map(|m| m.into_inner().ok().flatten())
        .collect();
    (results, stop.load(Ordering::SeqCst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_stops_starting_after_a_failure() {
        let items: Vec<u32> = (0..100).collect();
        assert_eq!(
            map(&items, 8, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        let (r, failed) = map_until(&items, 1, |x| (*x, *x == 10));
        assert!(failed);
        assert_eq!(r.iter().flatten().count(), 11);
    }
}
