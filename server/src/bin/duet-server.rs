//! `duet-server`: reads configuration, binds, and runs the server until Ctrl-C or SIGTERM.

use clap::Parser;
use server::clock::{Clock, SystemClock};
use server::config::{Args, Command, LogFormat};
use server::identity::{AppIdentity, Origin};
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    let args = Args::parse();
    // These work on files only, and must not make an identity in the data dir.
    if matches!(
        args.command,
        Some(Command::Backup { .. } | Command::Restore { .. })
    ) && args.tuning.storage == server::config::StorageKind::Postgres
    {
        eprintln!(
            "duet-server: backup and restore copy the SQLite database file; with \
             DUET_STORAGE=postgres, back the database up with pg_dump and the media directory \
             with your file backups (docs/deploy.md)"
        );
        return ExitCode::FAILURE;
    }
    match &args.command {
        Some(Command::Backup { to, media_dir }) => {
            let made =
                server::backup::backup(&args.app.data_dir, media_dir.as_deref(), to, &mut say);
            return finish(made, &format!("backed up to {}", to.display()));
        }
        Some(Command::Restore { from }) => {
            let restored = server::backup::restore(from, &args.app.data_dir, &mut say);
            let done = format!("restored into {}", args.app.data_dir.display());
            return finish(restored, &done);
        }
        _ => {}
    }
    let secret_key = match args.app.secret_key() {
        Ok(key) => key,
        Err(e) => {
            eprintln!("duet-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if matches!(args.command, Some(Command::Admin { .. }))
        && secret_key.is_none()
        && !args
            .app
            .data_dir
            .join(server::identity::FILE_NAME)
            .is_file()
    {
        eprintln!(
            "duet-server: no app identity in {}: set DUET_SDKAPPID and DUET_SECRET_KEY, or point \
             --data-dir at the server's data dir",
            args.app.data_dir.display()
        );
        return ExitCode::FAILURE;
    }
    let identity = AppIdentity::resolve(
        &args.app.data_dir,
        args.app.sdk_app_id,
        secret_key,
        args.app.admin.clone(),
    );
    if let Some(Command::Admin { server, action }) = &args.command {
        return admin(&args, identity, server.as_deref(), action.clone());
    }
    let (identity, origin) = match identity {
        Ok(found) => found,
        Err(e) => {
            eprintln!("duet-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Usersig { user, expire }) = &args.command {
        if origin == Origin::Generated {
            eprintln!(
                "Generated a new app identity in {} (SDKAppID {}).",
                args.app
                    .data_dir
                    .join(server::identity::FILE_NAME)
                    .display(),
                identity.sdk_app_id
            );
        }
        println!(
            "{}",
            identity.signer().sign(user, *expire, SystemClock.now_s())
        );
        return ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match args.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    if origin == Origin::Generated && args.log_format == LogFormat::Json {
        // A log pipeline keeps what it reads: say where the key is, never the key.
        tracing::warn!(
            sdk_app_id = identity.sdk_app_id,
            file = %args.app.data_dir.join(server::identity::FILE_NAME).display(),
            "generated a new app identity; its secret key is in the file"
        );
    } else if origin == Origin::Generated {
        let me = std::env::args()
            .next()
            .unwrap_or_else(|| "duet-server".into());
        println!(
            "Generated a new app identity, saved in {}:\n  SDKAppID:   {}\n  secret key: {}\n  admin:      {}\n\
             Sign a development UserSig with: {me} usersig --user alice\n\
             (production backends sign with this key themselves, e.g. with Tencent's TLSSigAPIv2 libraries).",
            args.app
                .data_dir
                .join(server::identity::FILE_NAME)
                .display(),
            identity.sdk_app_id,
            identity.secret_key,
            identity.admin,
        );
    }
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(serve(args, identity)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args, identity: AppIdentity) -> Result<(), Box<dyn std::error::Error>> {
    let sdk_app_id = identity.sdk_app_id;
    if args.tuning.dev_usersig {
        if !args.listen.ip().is_loopback() && !args.tuning.dev_usersig_any_address {
            return Err(format!(
                "--dev-usersig lets anyone sign in as any user, so it listens on loopback only; \
                 {} is not (add --dev-usersig-any-address to insist)",
                args.listen
            )
            .into());
        }
        tracing::warn!("development UserSig endpoint is on: anyone can sign in as any user");
    }
    let mut config = args.config();
    fit_connections_to_file_limit(&mut config);
    let chat = server::open(config, identity, Arc::new(SystemClock))?;
    let shutdown = CancellationToken::new();
    if let Some(addr) = args.metrics_listen {
        let handle = server::metrics::install()?;
        let listener = bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "metrics at /metrics");
        println!("Metrics on http://{addr}/metrics");
        let hub = chat.hub.clone();
        tokio::spawn(server::metrics::serve(
            listener,
            handle,
            hub,
            shutdown.clone(),
        ));
    }
    let listener =
        bind(args.listen).map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, sdk_app_id, data_dir = %args.app.data_dir.display(), "duet-server listening");
    println!("Duet server on http://{addr} (WebSocket ws://{addr}/ws)");
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    // On a worker thread rather than the main one, so the accept loop gets the same scheduling
    // as the connections it feeds.
    tokio::spawn(server::run(listener, chat, shutdown)).await??;
    Ok(())
}

/// Runs an admin command on a running server, or on the data dir in this process.
fn admin(
    args: &Args,
    identity: Result<(AppIdentity, Origin), server::identity::IdentityError>,
    url: Option<&str>,
    action: server::admin::Action,
) -> ExitCode {
    let identity = match identity {
        Ok((identity, _)) => identity,
        Err(e) => {
            eprintln!("duet-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    let done = runtime.block_on(async {
        let target = match url {
            Some(url) => {
                let admin = identity.admin.clone();
                let sig = identity
                    .signer()
                    .sign(admin.as_str(), 3600, SystemClock.now_s());
                server::admin::Target::server(url, admin, sig, identity.sdk_app_id)
            }
            None => {
                let database = args.app.data_dir.join(server::DATABASE_FILE);
                if !database.is_file() {
                    return Err(format!(
                        "{} holds no database; give --data-dir, or --server for a running server",
                        args.app.data_dir.display()
                    ));
                }
                let chat = server::open(args.config(), identity, Arc::new(SystemClock))
                    .map_err(|e| format!("{e} (use --server URL while a server runs on it)"))?;
                chat.prepare().await.map_err(|e| e.to_string())?;
                server::admin::Target::Local(chat)
            }
        };
        let ran = server::admin::run(&target, action, &mut std::io::stdout().lock()).await;
        if let server::admin::Target::Local(chat) = &target {
            chat.storage.close().await;
        }
        ran.map_err(|e| e.to_string())
    });
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("duet-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .inspect_err(|e| eprintln!("duet-server: cannot start the runtime: {e}"))
        .ok()
}

/// Progress of a long command, on stderr so that stdout stays for results.
fn say(step: &str) {
    eprintln!("duet-server: {step}");
}

fn finish(
    outcome: Result<server::backup::Manifest, server::backup::BackupError>,
    done: &str,
) -> ExitCode {
    match outcome {
        Ok(manifest) => {
            println!(
                "{done}: database {} bytes, {} media files ({} bytes), {} other files",
                manifest.database_bytes,
                manifest.media_files,
                manifest.media_bytes,
                manifest.other_files
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("duet-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// File descriptors kept for what is not a connection: the database, media files, logs.
const RESERVED_FILES: u64 = 256;

/// Raises the soft open-file limit to the hard one, and lowers the connection cap to what the
/// limit leaves, so that at the cap the server refuses new connections cleanly instead of
/// failing to open files (or to accept at all).
fn fit_connections_to_file_limit(config: &mut server::config::Config) {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            return;
        }
    };
    let fit = limit.saturating_sub(RESERVED_FILES).max(1);
    let cap = &mut config.http.max_connections;
    if *cap as u64 > fit {
        tracing::warn!(
            open_files = limit,
            max_connections = fit,
            "the open-file limit allows fewer connections than configured; raise `ulimit -n`"
        );
        *cap = fit as usize;
    } else {
        tracing::info!(
            open_files = limit,
            max_connections = *cap,
            "open-file limit"
        );
    }
}

/// Binds with a deep accept queue: a burst of clients reconnecting at once (after a restart, say)
/// must not overflow it, or the kernel drops their handshakes and they wait a second to retry.
fn bind(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn cancel_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
    shutdown.cancel();
}
