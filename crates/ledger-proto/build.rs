//! Compiles `proto/ledger/v1` with protox, a proto compiler written in Rust, so that building the
//! workspace needs nothing but cargo: no system `protoc` and no download.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_root = "../../proto";
    let file = "../../proto/ledger/v1/ledger.proto";
    let descriptors = protox::compile([file], [proto_root])?;
    // The encoded descriptors let the server answer gRPC reflection, so standard tools work.
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("ledger_descriptor.bin"), prost::Message::encode_to_vec(&descriptors))?;
    // Messages that do not decode are the caller's error: INVALID_ARGUMENT, not INTERNAL.
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .codec_path("crate::codec::LedgerCodec")
        .compile_fds(descriptors)?;
    // Between replicas only: compiled apart, so that reflection does not offer it to clients.
    let replica = protox::compile(["../../proto/ledger/v1/replica.proto"], [proto_root])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .codec_path("crate::codec::LedgerCodec")
        .compile_fds(replica)?;
    println!("cargo:rerun-if-changed={proto_root}");
    Ok(())
}
