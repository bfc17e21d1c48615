//! The gRPC codec of the contract: prost's, except that a message that does not decode (a wrong
//! wire type, a string that is not UTF-8, a truncated field) is answered with INVALID_ARGUMENT.
//! tonic's default answers INTERNAL, which would tell operators the server is at fault when a
//! client sent bytes that are not a message.

use std::marker::PhantomData;

use prost::Message;
use tonic::codec::{Codec, DecodeBuf, Decoder};
use tonic::Status;

#[derive(Debug, Clone, Copy)]
pub struct LedgerCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for LedgerCodec<T, U> {
    fn default() -> Self {
        LedgerCodec(PhantomData)
    }
}

impl<T, U> Codec for LedgerCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = <tonic_prost::ProstCodec<T, U> as Codec>::Encoder;
    type Decoder = LedgerDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        tonic_prost::ProstCodec::<T, U>::default().encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        LedgerDecoder(PhantomData)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct LedgerDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for LedgerDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf)
            .map(Some)
            .map_err(|error| Status::invalid_argument(format!("the message does not decode: {error}")))
    }
}
