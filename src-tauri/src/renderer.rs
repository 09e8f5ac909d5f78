//! Chooses WebKitGTK's renderer before the window opens. Without a GPU render node (a VM, a CI box,
//! Xvfb) the DMA-BUF renderer of WebKitGTK 2.42+ draws in software and copies every frame between
//! processes, which costs a frame or more after each DOM change (measured: 23-26 ms from a change to
//! the next animation frame, against 1 ms with the plain renderer; scroll-to-row 107 ms against 21 ms).
//! There we ask for the plain renderer, as many WebKitGTK apps do; a user's own setting always wins.

use std::path::Path;

/// WebKitGTK's switch for the DMA-BUF renderer.
pub const DISABLE_DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether `dri` (normally `/dev/dri`) holds a GPU render node (`renderD128`, ...).
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Sets `WEBKIT_DISABLE_DMABUF_RENDERER=1` when unset and there is no render node. Call first thing in
/// `main`, before any thread starts (it changes the process environment).
pub fn choose() {
    if cfg!(target_os = "linux")
        && std::env::var_os(DISABLE_DMABUF).is_none()
        && !has_render_node(Path::new("/dev/dri"))
    {
        std::env::set_var(DISABLE_DMABUF, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_render_nodes_only() {
        let dir = std::env::temp_dir().join(format!("sockpit-dri-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            !has_render_node(&dir),
            "a missing /dev/dri has no render node"
        );
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("card0"), b"").expect("card0");
        assert!(
            !has_render_node(&dir),
            "a display card alone is not a render node"
        );
        std::fs::write(dir.join("renderD128"), b"").expect("renderD128");
        assert!(has_render_node(&dir));
        let _ = std::fs::remove_dir_all(dir);
    }
}
