//! The load drivers' workers on OS threads, each thread with a single-threaded runtime of its
//! own (benches/magic_link, benches/soak).

use std::future::Future;
use std::thread::JoinHandle;

/// Starts `concurrency` workers spread round-robin over `threads` OS threads: `make(t)`, on
/// the calling thread, gives thread `t` what starts its worker `id`. Each thread ends with its
/// workers' results.
pub fn spawn<G, F, T>(
    threads: usize,
    concurrency: usize,
    make: impl Fn(usize) -> G,
) -> Vec<JoinHandle<Vec<T>>>
where
    G: Fn(usize) -> F + Send + 'static,
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let threads = threads.max(1);
    (0..threads)
        .map(|t| {
            let start = make(t);
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    let handles: Vec<_> = (t..concurrency)
                        .step_by(threads)
                        .map(|id| tokio::spawn(start(id)))
                        .collect();
                    let mut results = Vec::with_capacity(handles.len());
                    for h in handles {
                        results.push(h.await.expect("worker"));
                    }
                    results
                })
            })
        })
        .collect()
}
