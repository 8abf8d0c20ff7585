/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An HSS/LMS signature by otaflow-image's signer (tools/lms_sign.c) with its default parameters:
 * 2 levels of LMS_SHA256_M32_H10 / LMOTS_SHA256_N32_W8, 2,964 bytes, what a product's lean
 * HSS/LMS bootloader verifies. Typed in as data because making it takes two H10 trees, 17.8 M
 * hashes (about 20 s in the sanitized debug build, far longer than the tests it serves):
 * tool_lms_derive(levels 2, LMS_SHA256_M32_H10, LMOTS_SHA256_N32_W8, SEED, I) with SEED the
 * bytes a0 a1 ... bf and I the bytes 10 11 ... 1f, then tool_lms_sign at index 613 * 1024 + 402
 * (leaf 613 of the top tree, 402 of the one below) of the 32 bytes MESSAGE. Data for
 * tests/unit/test_lms.c (every parameter set built in) and tests/lean/test_lms_lean.c
 * (OTA_LMS_LEAN_PARAMS): both builds must give the same verdicts on it.
 */
#ifndef OTAFLOW_TEST_LMS_SIGNER_VECTORS_H
#define OTAFLOW_TEST_LMS_SIGNER_VECTORS_H

#define SIGNER_H10W8_SIG_SIZE 2964u

static const char *const SIGNER_H10W8_MESSAGE =
    "404346494c4f5255585b5e6164676a6d"
    "707376797c7f8285888b8e9194979a9d";

static const char *const SIGNER_H10W8_PUBKEY =
    "00000002" /* levels */
    "00000006" /* LMS_SHA256_M32_H10 */
    "00000004" /* LMOTS_SHA256_N32_W8 */
    "101112131415161718191a1b1c1d1e1f" /* I */
    "c4ced7179801a8224036d3ab1106b0e44444c4d6cf5d715f8412452a982d0d22"; /* T[1] */

static const char *const SIGNER_H10W8_SIGNATURE =
    "00000001" /* Nspk */
    "00000265" /* level 0: q */
    "00000004" /* level 0: LMOTS_SHA256_N32_W8 */
    "ea617e3d5b2599585dd11da67914aadd86c1fc089ac73a3e690d0ec2108a96d4" /* level 0: C */
    "a282bd648d7fa4c02720c99becb379be4a751a1cd481f5da79468f379dd77199" /* y[0] */
    "ef85ec6b9bb0487839a7e31c556c2707d278d57d1e44ffe7811aa11a8bba1549" /* y[1] */
    "cab0d41de5cbcc34ca3bfdf0fe27635ccbff9c0b303584115d50dbb7243f842a" /* y[2] */
    "6f61e455f531ccf15d0c48f24e070b6fa547a67a28c231ca1fb293e8fb98b24e" /* y[3] */
    "4d0053253bf7b7db356b39fc1117803a269b1e48278a5e6fc815a264b0cd1c2f" /* y[4] */
    "2df3bcdd397b15639079f44dda81c84fe72c3f262e323f29fb51f966de1532d7" /* y[5] */
    "b95982ffa1287210dc76906ec91566b7269d5fb80a1862ddd5c67d118f6c12d9" /* y[6] */
    "ef6be3d6dcd00b3965d474c3b84f3c9ebcd591d0d0e11d349821fd8797680c54" /* y[7] */
    "a4f09a608e35b11ff4cf31adf7b5f27da77fe388334833cb4eec6e60a686b7e5" /* y[8] */
    "cc15a56359c03603a149ab3ecae3b907806cce1578ca216b628d36ae1641402e" /* y[9] */
    "daeded6d6014125e0fb81fc593438ea33aa624dfd90bcd523dc01f27f05cda16" /* y[10] */
    "473b488186252b592cd9852d6db3ca9e974fab2fc36a24276e76a9e67fffc4b1" /* y[11] */
    "2a6abd2b20597814e3ab3d667907cee562249229f7f7241d09e7749a73df633e" /* y[12] */
    "0a3451f09f2b3afe3cb546ee026ea85f15d5289c7849521b3924f8482ab4187f" /* y[13] */
    "db2cbd881a62791cf56de3f259b22ec9242481866423eae776d04095cc1c8c60" /* y[14] */
    "8096362cec706d18ba7d51380cfeead4dab855b5ce3a7d06fe92ae81f72f54cd" /* y[15] */
    "3cfe76b6e7ed81a5bb0f9c8b09f99b08bcefb85dd6bc4c25b3e1055cc8d04101" /* y[16] */
    "79ecf5fd21753700594f3cb167b8717b497b1bb94fd6da5f43251daa3b2a127e" /* y[17] */
    "ad0766b58e7c449a75db5474997ebd7621b99bca04e157642c85f175c6f265c2" /* y[18] */
    "1f2cd8683546b5bcdab594d28c6bc1c066abc53393f4cc8b2fb70314ba2e20bb" /* y[19] */
    "eb353c621c09e5e0acfb1d6fef9da75c734738034f3b0791792545f02ec435b6" /* y[20] */
    "b5e062b10a746eefff4df6189127c9d4d1bf68f591a001bacf258dd9a5f7d218" /* y[21] */
    "c98fbb47f73d4f3ff352aa5f72fa26e711a0776cc1ea4f3c4c15ec322950a6ef" /* y[22] */
    "fd741dcc70f6f493c24005893018e1f2c5762e7982b1c6e5a397578ecbccbd8d" /* y[23] */
    "a11fa4332faaa7c077bd1096fbdc5367ed299eb910e0838bf0ed9d35ffdfadb0" /* y[24] */
    "e14a5aebb93d9ee869ab402640c1fcc4c41f6253fb2b524110d7a95a6863ae8d" /* y[25] */
    "a6e6baeebcebdc88048332c60ef6bb1babc74ffa80fa787849e57822d4d3bc80" /* y[26] */
    "ac15781b8fafdc7bd629c2ac4ada4effd0e3b40fb55177bd760f79d35e1805c7" /* y[27] */
    "4f928bd1c0a9b4f427f5aeb46ebeef9863770747e036fb7985ffac1ab5b69528" /* y[28] */
    "6da2b2d7bd9bdd357b3d87c4374bef6694507f5cdd9f5548706c7e10e71c0f31" /* y[29] */
    "19b160933305e54c3188bc869de92ced5048dd3c992a5f6b02bf2baf50e6bbf5" /* y[30] */
    "b29ec712747ce23da7e4392a92a9c804fccd806c62dcf417adf439ff6a8364be" /* y[31] */
    "081fea33080b7f122c3abf81a32e819d75a8748b615f37ed225468e1322254d2" /* y[32] */
    "a21efcfc80f343f1b68cbae7b6e66d2c16271092dba650174f9df54d72e483cd" /* y[33] */
    "00000006" /* level 0: LMS_SHA256_M32_H10 */
    "970450e4f8670024efa16705809c8b32787b2f53383f0bf91bc6d614ae85db66" /* path[0] */
    "e9e66eaa26ba1e729c540b2698cfc921641b4feae79ba4b8ac8882d08441ea71" /* path[1] */
    "9e9b5e97821bdb15787c657e721bc7ad3b363967ec1136f5eefd5935e4106f57" /* path[2] */
    "9c9e20fed4143f76bd8c19bc7948275a66ae1a345f2f184e4434bd106257b87f" /* path[3] */
    "8019f23e968cae63b800ee24d03140d885d2fee5ae6b367246edc91a1173699b" /* path[4] */
    "37b4e70ec33a9fe5bf1e2548868ca227616a0f22162716ef536274d174bde5a8" /* path[5] */
    "6dc9fe53deb85345457c3ebaf6d03a316055ab4bc3f4a330d41ccb581fd82bc6" /* path[6] */
    "0409575633f352f2b07f2a72238c72fdb4de6c65d722102e159164b8dff812bf" /* path[7] */
    "82ee972bb58efaa727a7374e8f6d597314883794bc51ab2875434f3ebfc68460" /* path[8] */
    "30a14f5aaa24eca6a9dec0f28dd37c9b5de3b99533f82be3e27b8df522158403" /* path[9] */
    "00000006" /* level 1 public key: LMS type, */
    "00000004" /* LM-OTS type, */
    "6dfc959be0e474bd54cf46ad0b3632ac" /* I, */
    "759ac6b5c12119502756dd7d54a45e8691af14b7e99eb09517e5b2d3dd16e8a3" /* T[1] */
    "00000192" /* level 1: q */
    "00000004" /* level 1: LMOTS_SHA256_N32_W8 */
    "b6c1333dffba4829843d82a9c7946b9c7dad600919dfe4236bd11a0bec7095b5" /* level 1: C */
    "e39365d1ee80883e63098b702794cb9d39fde9023aca2dbb2dbef8372e0f5dbe" /* y[0] */
    "a5a9f99fdedc71566f3eeb73cded7a5577be20a2323adf7e97614e9b1bd02b95" /* y[1] */
    "69274c25c49ce6558dcb27a894e0dd7a942da02ac1c6be213b554834bebb90c7" /* y[2] */
    "8c8fc72b44c6d697be1506963ce1b53155b1d5888cf2d8a0bb0c30866edf79ed" /* y[3] */
    "37a9aff20924baa3de1be99e1db8661487f2d5e787d4c8864bce5057eef622d9" /* y[4] */
    "4786899c1efc920d661318fcbbd26bb0bf70be1590032dd035a6b2dd8c81dfaf" /* y[5] */
    "bbcd32f8180c2e93e438b5f152c1d708ba1fa2abeaf9739eafb89cd0c259cf64" /* y[6] */
    "2ed705d50c08ea6f3088005f7e7a48625a3985bffee1cbe8d096344f146efbbb" /* y[7] */
    "9bc012e9eb436fd3b332660efaa7d81b7d30e42f522a5e543261dfcf65ba85fa" /* y[8] */
    "527abdbf44970e477bdaacf93604b1d72274f2b1658257c1c58373be176afb5b" /* y[9] */
    "961bbca6b155ec43df066c966c42f3f96efe4dbf1a8dbccf18148d11f145cb22" /* y[10] */
    "22a20e786e33c2c48209ce7fd619f1deb313de79bed63f0a6290a5c04f7f6f23" /* y[11] */
    "3cbbbda453cb30d489175ad3ae689109de90bf4fb7eb9795fa5b253748cc07dd" /* y[12] */
    "174978220b13cea71f71d0f1dce300d059038c9bc0ca95797c0c0613020c9a55" /* y[13] */
    "6a5d1436bccf70962cb369b03b428ff2e01c6464dfdbf935be5dafea7262be65" /* y[14] */
    "7d247609b77fd5cd102b57f6e94170857cb319faf1c341202a93aa46efb49902" /* y[15] */
    "be3d11250b0d952e8b74365f83268cd4c796ff543314fe9cb9c0a7b8a6440517" /* y[16] */
    "b7f18027f4a3cf425f236a63e9feb8b70113cd1386353739893cc32df7c86336" /* y[17] */
    "f990fe0435fb8377818db2d8f7c3c5d7e5a9a9ac4ac522c5e5beee075b740704" /* y[18] */
    "467c0a7542a136e0141f7091665ade0956ebc9c63ddffc53090d34f1a4a4b28c" /* y[19] */
    "d53a01de13a762a5c0376f6027a31cab156086244d6317db4ca70e44001eb595" /* y[20] */
    "197fe83b0914ccd21866be39a0d4141dac0d83ed176fc63eb2752e77ac044814" /* y[21] */
    "6ea1a4eeee7b688820a785ecab93cc5e27f2a047167f468311c5e48883ba44eb" /* y[22] */
    "e956d7305bd49051d56a3a9d263cdea0e4a5366902f19fb2cd457a77f67a3e0b" /* y[23] */
    "8eb058eeac5cee7ad66798462754ef7908e6cf4cdd1aedfbea5bf4fbcc6471d3" /* y[24] */
    "694a030c4c229eb58ba27195dd32b1aebbf14fcfdd075ffea790e8327e97e435" /* y[25] */
    "285668fe93e17c2690f2094f9341e19f9c684689fa437e8b4cee6bf04b2443cd" /* y[26] */
    "5905a9e032f9383e2bcd2276e92255b0c2782992260811ae425563a40627c13d" /* y[27] */
    "65f8cf28033a10190678d03d73ef9da23ed35f7c8e8748366b92bd4472a96e88" /* y[28] */
    "5abd974b847bb4217798fb21d4b48ef0e85febe2a49df4c1343254b286930e5a" /* y[29] */
    "986392063e812abad1af65ac6c77dbe05354b758fa35fb14d26c2f72b17b2eeb" /* y[30] */
    "9d844d4c2c92473e2d309a25a5a84b3c327c2515a78456b9162664330b1d3ff0" /* y[31] */
    "b7b2e1d553cb0886a74d0ce17866a004d55f4a27174065156e15a8701d423476" /* y[32] */
    "29baae4cad44bffbd1169f50d9581b3d65ac31177856e66f985ec9b77057697c" /* y[33] */
    "00000006" /* level 1: LMS_SHA256_M32_H10 */
    "5c9f1577634e0ce89a6105830f721c62c23c1b6b90fdc73b56f7995e543f247f" /* path[0] */
    "e4d3c08cd3126121198797591ab9d413ad7bdf0d105c300d37ebf3b463d08863" /* path[1] */
    "ed7cedd37faf8b35b04a433e6497a979042bf47b220d53e8ec2563e8970b1e52" /* path[2] */
    "a0c68aa2a4c69ecacbebce0fbb054fbd7128d7c7a76e79bb1ee9af9d6148e373" /* path[3] */
    "6fce51e29732a90c29528214ea4ea7c82f2cac5ce15f004ed5374386019a27bf" /* path[4] */
    "9234a321b5db7bb9236e3fce58b340c72d12b7014eb1a64e443722df5a6054e7" /* path[5] */
    "1d3683976249603a57b3331130980015ec133c0d4c1d8f0a3eecbc591b3a3b58" /* path[6] */
    "4b31637c43296f93fff35956204d350508727c5414ef08df7c98f1ada32cf2dd" /* path[7] */
    "18430b93e18b60b4652cc6e3ad9eaf44e4fd5b937880619c1fecee3714754a2f" /* path[8] */
    "17eb03cb33ef99c19d5c79053c877167c01cc0cd585d8fff71fd0d0e3a09a969"; /* path[9] */

#endif
